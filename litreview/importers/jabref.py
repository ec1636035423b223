"""JabRef's groups, read from the ``@comment{jabref-meta: grouping: ...}`` block of a .bib file.

JabRef writes its group tree as lines ``LEVEL TYPE:FIELDS;`` (level 0 is the root
``AllEntriesGroup``). Fields are separated by ``\\;`` and a ``\\`` escapes the next character,
once at the metadata level and once more inside a group. Which entries belong to a static group
is in each entry's ``groups`` field (names joined by ``,``); JabRef 2's ``groupstree`` block
(``ExplicitGroup``) lists the member keys in the group itself. Static groups
(``StaticGroup``, ``ExplicitGroup``) become areas; keyword, search and automatic groups are
computed by JabRef from a rule, so they are reported as skipped (an area is still made for one
that holds static sub-groups, to keep the tree).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from litreview.importers.groups import GroupNode
from litreview.importers.records import Problem

_BLOCK = re.compile(r"@comment\s*\{\s*jabref-meta:\s*(grouping|groupstree):", re.IGNORECASE)
_LINE = re.compile(r"^(\d+)\s+(\w+):(.*)$", re.DOTALL)
STATIC_TYPES = frozenset({"StaticGroup", "ExplicitGroup"})
GROUPS_FIELD = "groups"


@dataclass
class JabrefGroups:
    """The group tree of a file (empty when it has none) and what could not be used."""

    roots: list[GroupNode] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def _split(text: str, separator: str = ";") -> list[str]:
    """``text`` cut at every unescaped ``separator``, each part unescaped once."""
    parts: list[str] = []
    current: list[str] = []
    chars = iter(text)
    for char in chars:
        if char == "\\":
            current.append(next(chars, ""))
        elif char == separator:
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
    parts.append("".join(current))
    return parts


def _block_body(text: str, match: re.Match[str]) -> tuple[str, int]:
    """The group lines of the comment ``match`` opens (up to its closing brace), and its line."""
    depth = 1
    end = match.end()
    while end < len(text) and depth:
        depth += {"{": 1, "}": -1}.get(text[end], 0)
        end += 1
    return text[match.end() : end - 1], text.count("\n", 0, match.start()) + 1


def parse_jabref_groups(text: str) -> JabrefGroups:
    """The JabRef group tree of a .bib file's text."""
    found = JabrefGroups()
    if "jabref-meta" not in text:  # JabRef writes it so; a cheap test before the search
        return found
    match = _BLOCK.search(text)
    if match is None:
        return found
    kind = match.group(1).lower()
    body, line = _block_body(text, match)
    # JabRef wraps long lines (groupstree): the line breaks are not part of the data.
    entries = [e.strip() for e in _split(body.replace("\r", "").replace("\n", ""))]
    stack: list[tuple[int, GroupNode]] = []
    for entry in entries:
        parsed = _LINE.match(entry)
        if parsed is None:
            if entry and not entry.isdigit():  # "groupsversion"-like stray numbers
                found.problems.append(
                    Problem(
                        f"JabRef group not understood: {entry[:80]!r}", line=line, kind="warning"
                    )
                )
            continue
        level, group_type, rest = int(parsed.group(1)), parsed.group(2), parsed.group(3)
        if level == 0:
            continue  # AllEntriesGroup: the whole file
        fields = _split(rest)
        node = GroupNode(name=fields[0].strip() or "(unnamed group)")
        if group_type in STATIC_TYPES:
            if kind == "groupstree" and group_type == "ExplicitGroup":
                node.members = [k.strip() for k in fields[2:] if k.strip()]
            elif len(fields) > 5:
                node.description = fields[5].strip()
        else:
            node.static = False
            found.problems.append(
                Problem(
                    f"JabRef {group_type} {node.name!r} skipped: only static groups become "
                    "areas (JabRef computes this one from a rule)",
                    line=line,
                    kind="warning",
                )
            )
        while stack and stack[-1][0] >= level:
            stack.pop()
        (stack[-1][1].children if stack else found.roots).append(node)
        stack.append((level, node))
    found.roots = _pruned(found.roots)
    return found


def _pruned(nodes: list[GroupNode]) -> list[GroupNode]:
    """The groups that are static or hold a static one, at every level."""
    kept = [node for node in nodes if node.has_static()]
    for node in kept:
        node.children = _pruned(node.children)
    return kept


def entry_group_names(value: object) -> list[str]:
    """The group names of an entry's ``groups`` field (JabRef joins them with commas)."""
    if not isinstance(value, str):
        return []
    return [name.strip() for name in value.split(",") if name.strip()]
