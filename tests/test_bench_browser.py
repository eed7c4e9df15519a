"""The browser part of the benchmark, run small: three of the course's widgets, 2 measured moves
each, served by Voila and moved in Debian's Chromium through Playwright. The test checks the
shape of what the run writes and that every measured move really painted a different picture,
or, for the shapes widget (whose batch N redraws no picture), a different shape table; it
never asserts a time. Skipped without Chromium, Playwright or Voila on a laptop, a failure in
CI (``CI=true``), like ``test_browser.py``."""

import json

import pytest
from processes import need

from benchmarks import browser, run

WIDGETS = ["neuron.NeuronWidget", "cost.CostWidget",     # sliders; a slider or a toggle
           "shapes.ShapesWidget"]                        # a slider that rewrites a table
TABLE = {"shapes.ShapesWidget"}                          # timed to the new table painted


@pytest.fixture(scope="module")
def small_run(tmp_path_factory):
    need(browser.missing() is None, str(browser.missing()))
    out = tmp_path_factory.mktemp("bench_browser")
    results = run.main(["--out", str(out), "--skip", "throughput,memory,lessons,widgets",
                        "--widget-repeats", "2", "--browser-repeats", "2",
                        "--browser-widgets", ",".join(WIDGETS)])
    return out, results


def test_each_widget_is_timed_from_input_to_a_new_picture(small_run):
    out, results = small_run
    part = results["browser"]
    assert part["skipped"] is None and part["repeats"] == 2 and part["budget_ms"] == 150
    rows = {r["widget"]: r for r in part["rows"]}
    assert sorted(rows) == sorted(WIDGETS)
    for name, row in rows.items():
        assert "error" not in row, f"{name}: {row['error']}"
        assert row["action"].split(" ", 1)[0] in browser.KINDS
        assert row["in_process_ms"] > 0 and len(row["ms"]) == len(row["moves"]) == 2
        output = "table" if name in TABLE else "image"
        assert row["output"] == output and row["waited_for"] == browser.waited_for(output)
        for move in row["moves"]:
            assert move["event"].split(" ", 1)[0] in ("keydown", "pointerdown"), move
            assert move["changes"] >= 1, move
            assert move["changed"] and move["hash_before"] != move["hash_after"], \
                f"{name}: the {output} did not change: {move}"
            assert 0 < move["to_change_ms"] <= move["ms"], move    # the change, then the paint
            assert (move["decode_ms"] is None) == (name in TABLE), move
        if row["action"].startswith("slider"):              # an arrow key on its handle
            assert all(m["event"].startswith("keydown Arrow") for m in row["moves"]), row


def test_the_results_show_it_beside_the_in_process_times(small_run):
    out, results = small_run
    page = (out / "results.md").read_text()
    assert "## Widgets in a real browser" in page
    target = next(line for line in page.splitlines()
                  if line.startswith("| slider to new picture in a real browser under 150 ms"))
    assert target.endswith(("| met |", "| **not met** |")), target
    table = page.split("## Widgets in a real browser", 1)[1]
    for name in WIDGETS:
        row = next(line for line in table.splitlines() if line.startswith(f"| {name} |"))
        assert row.count("|") == 9 and "| 2 of 2 |" in row, row
        assert ("| new table painted |" in row) == (name in TABLE), row
    assert "of which not to a new picture: shapes.ShapesWidget (new table painted)" in target
    saved = json.loads((out / "results.json").read_text())
    assert [r["widget"] for r in saved["browser"]["rows"]] == \
        [r["widget"] for r in results["browser"]["rows"]]
