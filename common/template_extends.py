"""The `extends` tag, finding the root template's blocks once rather than on every page.

Django's ExtendsNode, rendering a template whose parent is the root (base.html), walks
the root's whole node tree for its `{% block %}`s each time (`get_nodes_by_type`): some
4,500 bytecodes on every page of the project (`make bench-work`, issue 14). A compiled
template does not change, so this keeps the root's blocks per compiled template (weakly:
a template loaded again, with DEBUG's reloading, is a new object and is walked afresh)
and otherwise renders exactly as Django's node: it replaces Django's tag as a builtin
(settings.TEMPLATES), with the same syntax and checks (Django's own parser makes the
node). common/tests/test_template_extends.py renders chains of templates through both.

Part of the shared library (issue 9): it imports no app.
"""

from __future__ import annotations

from typing import Any
from weakref import WeakKeyDictionary

from django import template
from django.template.base import Parser, Template, TextNode, Token
from django.template.context import Context
from django.template.loader_tags import BLOCK_CONTEXT_KEY, BlockContext, BlockNode, ExtendsNode
from django.template.loader_tags import do_extends as django_extends
from django.utils.safestring import SafeString

register = template.Library()

# A root template's blocks, by name (the dict BlockContext.add_blocks reads, not changes).
_ROOT_BLOCKS: WeakKeyDictionary[Template, dict[str, BlockNode] | None] = WeakKeyDictionary()


def _root_blocks(parent: Template) -> dict[str, BlockNode] | None:
    """The blocks of `parent` if it is a root (its first node that is not text is not an
    `extends`), else None: what ExtendsNode.render works out each time."""
    try:
        return _ROOT_BLOCKS[parent]
    except KeyError:
        pass
    blocks: dict[str, BlockNode] | None = None
    for node in parent.nodelist:
        if not isinstance(node, TextNode):
            if not isinstance(node, ExtendsNode):
                found: list[Any] = parent.nodelist.get_nodes_by_type(BlockNode)
                blocks = {n.name: n for n in found}
            break
    _ROOT_BLOCKS[parent] = blocks
    return blocks


class RootBlocksExtendsNode(ExtendsNode):
    def render(self, context: Context) -> SafeString:
        # Django's ExtendsNode.render (5.2), the root's blocks found once.
        compiled_parent = self.get_parent(context)
        if BLOCK_CONTEXT_KEY not in context.render_context:
            context.render_context[BLOCK_CONTEXT_KEY] = BlockContext()
        block_context = context.render_context[BLOCK_CONTEXT_KEY]
        block_context.add_blocks(self.blocks)
        blocks = _root_blocks(compiled_parent)
        if blocks is not None:
            block_context.add_blocks(blocks)
        with context.render_context.push_state(compiled_parent, isolated_context=False):
            return compiled_parent._render(context)  # type: ignore[attr-defined,no-any-return]


@register.tag("extends")
def do_extends(parser: Parser, token: Token) -> RootBlocksExtendsNode:
    node: Any = django_extends(parser, token)
    return RootBlocksExtendsNode(node.nodelist, node.parent_name, node.template_dirs)
