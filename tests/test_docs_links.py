"""Every relative link in README.md and docs/ resolves: the file exists and,
where the link names an anchor, the target has a heading with that GitHub
anchor."""
import glob
import os.path as osp
import re

import pytest

from tests.helpers import REPO

LINK = re.compile(r'\[[^\]]*\]\(([^)\s]+)\)')
HEADING = re.compile(r'^#{1,6}\s+(.*?)\s*#*\s*$')
FENCE = re.compile(r'^\s*(```|~~~)')


def markdown_files():
    return [osp.join(REPO, 'README.md')] + sorted(
        glob.glob(osp.join(REPO, 'docs', '**', '*.md'), recursive=True))


def prose_lines(path):
    """The lines of ``path`` outside fenced code blocks."""
    fenced = False
    with open(path, encoding='utf-8') as f:
        for line in f:
            if FENCE.match(line):
                fenced = not fenced
            elif not fenced:
                yield line


def anchors(path):
    """GitHub's heading anchors: lower case, punctuation dropped, spaces to
    hyphens, ``-1``, ``-2``, ... for repeats."""
    seen = {}
    for line in prose_lines(path):
        match = HEADING.match(line)
        if match is None:
            continue
        text = re.sub(r'`|\*\*|\[([^\]]*)\]\([^)]*\)', r'\1', match[1])
        slug = re.sub(r'[^\w\- ]', '', text.strip().lower()).replace(' ', '-')
        count = seen.get(slug, 0)
        seen[slug] = count + 1
        yield slug if count == 0 else f'{slug}-{count}'


def relative_links(path):
    for line in prose_lines(path):
        for target in LINK.findall(line):
            if not re.match(r'[a-z][a-z0-9+.-]*:', target):
                yield target


@pytest.mark.parametrize('path', markdown_files(),
                         ids=lambda p: osp.relpath(p, REPO))
def test_relative_links_resolve(path):
    broken = []
    for target in relative_links(path):
        file_part, _, anchor = target.partition('#')
        linked = osp.normpath(osp.join(osp.dirname(path), file_part)) \
            if file_part else path
        if not osp.exists(linked):
            broken.append(f'{target}: no such file')
        elif anchor and linked.endswith('.md') and \
                anchor not in set(anchors(linked)):
            broken.append(f'{target}: no heading with that anchor')
    assert not broken, f'{osp.relpath(path, REPO)}: ' + '; '.join(broken)
