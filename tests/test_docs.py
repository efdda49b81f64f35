"""The documentation stays whole: every guide has a runnable example, and every example a guide."""

from __future__ import annotations

import re

from .conftest import EXAMPLES, ROOT

GUIDES = sorted(p for p in (ROOT / "docs" / "guides").glob("*.md") if p.name != "index.md")
_SCRIPT = re.compile(r"examples/([a-z0-9_]+\.py)")


class TestGuides:
    def test_every_guide_names_an_existing_example(self) -> None:
        """Each task guide names at least one script in examples/, and those scripts exist."""
        assert GUIDES
        for guide in GUIDES:
            names = _SCRIPT.findall(guide.read_text(encoding="utf-8"))
            assert names, f"{guide.name} names no examples/*.py script"
            for name in names:
                assert (EXAMPLES / name).is_file(), f"{guide.name} names missing {name}"

    def test_every_example_belongs_to_a_guide(self) -> None:
        """Each script in examples/ is named by some guide, so none goes stale unseen."""
        named = {n for g in GUIDES for n in _SCRIPT.findall(g.read_text(encoding="utf-8"))}
        scripts = {p.name for p in EXAMPLES.glob("*.py")}
        assert scripts - named == set()
