"""The Word report in the form offices use: A4, 公文 fonts named in the styles, page numbers,
a title block, column widths that follow the content, charts at print resolution."""

from __future__ import annotations

import io
import struct
import zipfile

import pytest
from docx import Document as WordDocument
from docx.oxml.ns import qn

from reports.render_docx import column_widths, style
from reports.writer import write_run
from sim.core.loading import load_drill
from sim.engine import simulate


@pytest.fixture(scope="module")
def word_file(tmp_path_factory):
    out = tmp_path_factory.mktemp("docx")
    r = simulate(load_drill("gate-blockade"), 2)
    write_run(r, out, "zh", ["docx"], org="某市信访局", date="2026年11月24日")
    return out / "report.docx"


def _east_asia(st) -> str:
    return st.element.rPr.rFonts.get(qn("w:eastAsia"))


def test_the_page_is_a4_with_the_standards_margins(word_file):
    section = WordDocument(str(word_file)).sections[0]
    assert round(section.page_width.mm) == 210 and round(section.page_height.mm) == 297
    assert round(section.top_margin.mm) == style()["page"]["top_mm"]
    assert round(section.left_margin.mm) == style()["page"]["left_mm"]


def test_the_styles_name_the_official_faces_and_no_theme_colour(word_file):
    word = WordDocument(str(word_file))
    assert _east_asia(word.styles["Normal"]) == "仿宋"
    assert _east_asia(word.styles["Heading 1"]) == "黑体"
    assert _east_asia(word.styles["Heading 2"]) == "楷体"
    assert "宋" in _east_asia(word.styles["Title"])
    for name in ("Heading 1", "Heading 2", "Title"):
        rfonts = word.styles[name].element.rPr.rFonts
        assert rfonts.get(qn("w:asciiTheme")) is None, name
        assert str(word.styles[name].font.color.rgb) == "000000", name
    fonts = zipfile.ZipFile(word_file).read("word/fontTable.xml").decode("utf-8")
    assert "FangSong" in fonts and "SimHei" in fonts  # the fallbacks are declared


def test_title_block_page_numbers_and_opening(word_file):
    word = WordDocument(str(word_file))
    paragraphs = [p.text for p in word.paragraphs]
    assert paragraphs[0].endswith("总结报告") and word.paragraphs[0].style.name == "Title"
    assert paragraphs[1] == "某市信访局　2026年11月24日"
    assert paragraphs[2].startswith("为检验") and "某市信访局于2026年11月24日" in paragraphs[2]
    footer = word.sections[0].footer._element.xml
    assert "PAGE" in footer and "—" in footer


def test_table_columns_follow_their_content(word_file):
    word = WordDocument(str(word_file))
    for table in word.tables:
        widths = [round(c.width.mm, 1) for c in table.rows[0].cells]
        assert len(set(widths)) > 1, widths
        total = 210 - style()["page"]["left_mm"] - style()["page"]["right_mm"]
        assert sum(widths) == pytest.approx(total, abs=1)
    # the measure column of the improvement plan is the widest
    measures = next(t for t in word.tables if t.rows[0].cells[1].text == "改进措施")
    widths = [c.width for c in measures.rows[0].cells]
    assert widths.index(max(widths)) == 1


def test_column_widths_rule():
    widths = column_widths(["问题", "措施", "状态"], [["短", "很长的措施" * 5, "待整改"]], 156)
    assert widths[1] > widths[2] > 0 and widths[1] > widths[0]
    assert sum(widths) == pytest.approx(156)


def _png_dpi(data: bytes) -> float:
    """The resolution a PNG declares (its pHYs chunk), in dots per inch."""
    i = data.index(b"pHYs")
    x, _, unit = struct.unpack(">IIB", data[i + 4:i + 13])
    assert unit == 1
    return x * 0.0254


def test_charts_are_at_print_resolution(word_file):
    word = WordDocument(str(word_file))
    images = [rel.target_part.blob for rel in word.part.rels.values()
              if "image" in rel.reltype]
    assert len(images) >= 3
    for blob in images:
        assert _png_dpi(blob) >= 199.5  # 200 dpi, stored as dots per metre
        width_px = struct.unpack(">I", blob[16:20])[0]
        assert width_px >= 1000


def test_a_report_without_org_or_date_shows_the_placeholders(tmp_path):
    r = simulate(load_drill("small-group"), 1)
    write_run(r, tmp_path, "zh", ["docx"])
    word = WordDocument(io.BytesIO((tmp_path / "report.docx").read_bytes()))
    assert word.paragraphs[1].text == "[单位名称]　[具体日期]"


def test_no_chart_label_is_below_eight_points():
    import matplotlib.pyplot as plt
    from matplotlib.text import Text

    from reports import chart_style
    from reports.chart_data import ChartData
    from reports.charts import draw_crowd, draw_gantt, draw_response, draw_rumour
    from reports.evaluation import evaluate

    r = simulate(load_drill("gate-blockade"), 2)
    data = ChartData.of(r, evaluate(r).tasks)
    assert data.response
    for draw in (draw_gantt, draw_crowd, draw_rumour, draw_response):
        with chart_style.apply("en"):
            fig = draw(data, "en")
            fig.canvas.draw()
            sizes = [t.get_fontsize() for t in fig.findobj(Text) if t.get_text().strip()]
            plt.close(fig)
        assert sizes and min(sizes) >= 8, (draw, min(sizes))


def test_the_rumour_chart_gives_reach_in_percent_as_the_tables_do():
    import matplotlib.pyplot as plt

    from reports.chart_data import ChartData
    from reports.charts import draw_rumour
    from reports.evaluation import evaluate

    r = simulate(load_drill("gate-blockade"), 2)
    fig = draw_rumour(ChartData.of(r, evaluate(r).tasks), "en")
    fig.canvas.draw()
    labels = [t.get_text() for t in fig.axes[0].get_yticklabels() if t.get_text()]
    plt.close(fig)
    assert labels and all(label.endswith("%") for label in labels), labels


def test_the_word_file_carries_no_link_to_pages_beside_it(tmp_path):
    r = simulate(load_drill("gate-blockade"), 2)
    r.replay_file = "replay.html"
    write_run(r, tmp_path, "zh", ["md", "docx"])
    word = WordDocument(str(tmp_path / "report.docx"))
    assert not any("replay.html" in p.text for p in word.paragraphs)
    assert "replay.html" in (tmp_path / "report.md").read_text(encoding="utf-8")
