"""Stage 7, report: formatting only. HTML, Markdown, newsletter text, Excel workbook, charts, CSV.

Readers who never open a notebook get the report files (:func:`write_reports`). One plain
dictionary, the *report context* (:mod:`.context`), is rendered with the jinja2 templates in
``templates/`` (:mod:`.render`); the workbook (:mod:`.workbook`) and the charts (:mod:`.charts`,
:mod:`.heatmap`, :mod:`.figures`; a large run draws them in a worker process) come from the same
tables; :mod:`.tables` writes the CSV files, with no cell that a spreadsheet would run as a
formula. :mod:`.folder` checks and locks the output folder and swaps a run's files in as one set
(:class:`OutputFolder`).
"""

from rsnet_analysis.report.charts import (
    challenge_sizes_figure,
    segment_heatmap_figure,
    trends_figure,
)
from rsnet_analysis.report.context import challenge_sizes, report_context
from rsnet_analysis.report.figures import FigureJob, make_figures
from rsnet_analysis.report.folder import OutputFolder, OutputFolderError, check_output_folder
from rsnet_analysis.report.labels import challenge_names, wave_label
from rsnet_analysis.report.method import rerun_command
from rsnet_analysis.report.network import cooccurrence_figure
from rsnet_analysis.report.quotes import pick_quotes, shorten_quote
from rsnet_analysis.report.render import render_html, render_markdown, render_newsletter
from rsnet_analysis.report.sheets import workbook_sheets
from rsnet_analysis.report.tables import public_records, records_for_output, write_csv
from rsnet_analysis.report.workbook import write_workbook
from rsnet_analysis.report.write import write_reports

__all__ = [
    "FigureJob",
    "OutputFolder",
    "OutputFolderError",
    "challenge_names",
    "challenge_sizes",
    "challenge_sizes_figure",
    "check_output_folder",
    "cooccurrence_figure",
    "make_figures",
    "pick_quotes",
    "public_records",
    "records_for_output",
    "render_html",
    "render_markdown",
    "render_newsletter",
    "report_context",
    "rerun_command",
    "segment_heatmap_figure",
    "shorten_quote",
    "trends_figure",
    "wave_label",
    "workbook_sheets",
    "write_csv",
    "write_reports",
    "write_workbook",
]
