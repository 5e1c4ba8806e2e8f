"""Fitting columns to a width: the widest give up cells first, none below its floor; cells cut with an ellipsis."""

from __future__ import annotations

from tui.models.column_widths import ColumnHint, ellipsize, fit_cells, fit_widths, floors, hints_of
from tui.widgets.row_table import ColumnFit, header_columns, pad


def test_a_table_that_fits_keeps_its_widths() -> None:
    assert fit_widths([40, 5, 40], [8, 5, 8], 85) == [40, 5, 40]


def test_the_widest_columns_shrink_first_to_a_common_cap() -> None:
    assert fit_widths([43, 6, 11, 40], [8, 6, 8, 8], 60) == [22, 6, 11, 21]  # the spare cell goes to the left one
    assert fit_widths([43, 6, 11, 40], [8, 6, 8, 8], 30) == [8, 6, 8, 8]  # only the floors left: wider than 30


def test_floors_keep_titles_and_short_columns_whole() -> None:
    titles = ["NAME↑", "AGE", "RESTARTS", "IMAGE"]
    natural = [43, 5, 9, 40]
    assert floors(natural, titles, hints_of(titles, {"IMAGE": ColumnHint(least=14)}), 30) == [8, 5, 9, 14]
    assert floors(natural, titles, hints_of(titles, {}), 110)[0] == 22  # the row's name: a fifth of the room


def test_ellipsize_keeps_both_ends_or_the_side_asked_for() -> None:
    name = "resnet50-finetune-lr0001-bs64-seed3-x7k2p"
    assert ellipsize(name, 13) == "resnet…-x7k2p"
    assert ellipsize("127.0.0.1:5000/team/project/trainer:0.12", 12, "end") == "…rainer:0.12"
    assert ellipsize("Back-off pulling image", 10, "start") == "Back-off …"
    assert ellipsize("short", 13) == "short" and len(ellipsize(name, 1)) == 1


def test_a_header_laid_out_by_pad_gives_its_columns_back() -> None:
    header = pad("NAME↑", 43) + pad("READY", 6) + pad("LAST ERROR", 12)
    assert header_columns(header) == [("NAME↑", 0, 43), ("READY", 45, 6), ("LAST ERROR", 53, 12)]
    fit = ColumnFit(header, 40)
    assert fit.cut and fit.gap == 1 and fit.line_width <= 40
    assert fit.header(header).split(" ")[0] == "NAME↑" and fit.column_at(fit.widths[0] + 1) == 1
    assert not ColumnFit(header, 200).cut and ColumnFit(header, 200).widths == [43, 6, 12]


def test_plain_cells_fit_by_their_longest() -> None:
    rows = [["http://127.0.0.1:8080", "ns/" + "x" * 50]]
    assert fit_cells(["URL", "POD"], rows, 40) == [20, 20]
    assert fit_cells(["URL", "POD"], rows, 40, {"URL": ColumnHint(least=21)}) == [21, 19]
