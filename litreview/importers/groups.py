"""A tree of groups another reference manager keeps (JabRef groups, Zotero collections), as
importers hand it to the library, which makes areas of it.

Pure data: names, descriptions, and how the group names its members. What a member reference
means (a citation key, a JabRef ``groups`` name, a Zotero item id) is the importer's business;
the library resolves it against the records it stored.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field


@dataclass
class GroupNode:
    """One group: ``static`` ones get papers; the others only hold their sub-groups."""

    name: str
    description: str = ""
    static: bool = True
    # Member references listed by the group itself (JabRef 2 keys, Zotero item ids).
    members: list[str] = field(default_factory=list)
    children: list[GroupNode] = field(default_factory=list)

    def walk(self, parents: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], GroupNode]]:
        """(path of names, node) of this group and every group below it, in tree order."""
        path = (*parents, self.name)
        yield path, self
        for child in self.children:
            yield from child.walk(path)

    def has_static(self) -> bool:
        """Whether this group or one below it gets papers."""
        return self.static or any(child.has_static() for child in self.children)
