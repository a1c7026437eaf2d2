"""EMDR records, phase marks and desensitisation sets are not registered here on
purpose: they are PHI, and every read or change of them goes through the
role-checked, audited pages under /staff/emdr/."""
