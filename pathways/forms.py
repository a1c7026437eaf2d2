from __future__ import annotations

from django import forms


class AccessibleErrorsMixin:
    """Point each invalid input at its error message for screen readers.

    Django already links help text through aria-describedby; this adds
    aria-invalid and the error's id (see templates/includes/field.html).
    """

    def full_clean(self) -> None:
        super().full_clean()  # type: ignore[misc]
        form: forms.BaseForm = self  # type: ignore[assignment]
        for name in form.errors:
            if name not in form.fields:
                continue
            bound = form[name]
            ids = [f"{bound.auto_id}_error"]
            if form.fields[name].help_text:
                ids.insert(0, f"{bound.auto_id}_helptext")
            attrs = form.fields[name].widget.attrs
            attrs["aria-invalid"] = "true"
            attrs["aria-describedby"] = " ".join(ids)
