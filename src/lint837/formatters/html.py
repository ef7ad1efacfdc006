"""One self-contained HTML page for a batch: what a billing lead looks at.

Totals first, then findings per rule and per payer as bar charts, then the
claims held back with their findings, and every rule's explanation one
click away. No script, no style sheet or font from elsewhere: the page
works from a mail attachment or an air-gapped share. It names claims by
CLM01 and shows no patient data beyond what the findings' messages say.
"""

from __future__ import annotations

import html
from collections import Counter
from collections.abc import Sequence
from datetime import UTC, datetime

from lint837 import __version__
from lint837.findings import ClaimVerdict, Finding, Severity
from lint837.formatters.base import Formatter
from lint837.linter import FileSummary

STYLE = """
body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0;
  color:#1d2733;background:#f5f7fa}
header{background:#183b5a;color:#fff;padding:18px 32px}
header h1{margin:0;font-size:22px}
header p{margin:4px 0 0;opacity:.85}
main{padding:20px 32px;max-width:1180px}
section{background:#fff;border:1px solid #dde3ea;border-radius:8px;
  padding:16px 20px;margin:0 0 18px}
h2{font-size:17px;margin:0 0 12px}
.tiles{display:flex;gap:14px;flex-wrap:wrap}
.tile{flex:1 1 120px;background:#fff;border:1px solid #dde3ea;border-radius:8px;
  padding:12px 16px}
.tile b{display:block;font-size:26px}
.error{color:#b3261e}.warning{color:#9a5b00}.info{color:#2c5d8f}
.charts{display:grid;grid-template-columns:1fr 1fr;gap:18px}
table{border-collapse:collapse;width:100%}
td,th{text-align:left;padding:5px 8px;border-bottom:1px solid #eef1f4;
  vertical-align:top;font-size:14px}
th{font-weight:600;color:#4a5868}
code{font:13px ui-monospace,Menlo,Consolas,monospace}
details{margin:4px 0}summary{cursor:pointer}
details pre{white-space:pre-wrap;background:#f5f7fa;padding:10px;border-radius:6px}
.claim{border-left:4px solid #b3261e;padding-left:12px;margin:12px 0}
.empty{color:#4a5868}
"""

SHOWN = 500
"""Held claims (and findings outside claims) listed in full; the rest counted."""

COLORS = {
    Severity.ERROR: "#b3261e",
    Severity.WARNING: "#d08a00",
    Severity.INFO: "#2c5d8f",
}


def _e(value: object) -> str:
    return html.escape(str(value))


def _where(finding: Finding) -> str:
    return finding.location.element or finding.location.segment or ""


class HtmlFormatter(Formatter):
    """Collects totals and the held claims; writes the page at the end."""

    wants_claims = True

    def start(self) -> None:
        self._by_rule: Counter[str] = Counter()
        self._severity: dict[str, Severity] = {}
        self._by_payer: Counter[str] = Counter()
        self._totals: Counter[Severity] = Counter()
        # Only the first SHOWN held claims are kept, so memory stays flat on a
        # batch of millions; the others are counted.
        self._held: list[ClaimVerdict] = []
        self._held_count = 0
        self._claims = 0
        self._outside: list[Finding] = []
        self._outside_count = 0
        self._late: list[Finding] = []  # claim findings before their verdict

    def finding(self, finding: Finding) -> None:
        self._by_rule[finding.rule] += 1
        self._severity[finding.rule] = max(
            finding.severity, self._severity.get(finding.rule, Severity.INFO)
        )
        self._totals[finding.severity] += 1
        if finding.location.claim is None:
            self._outside_count += 1
            if len(self._outside) < SHOWN:
                self._outside.append(finding)
        else:
            self._late.append(finding)

    def claim(self, verdict: ClaimVerdict) -> None:
        self._claims += 1
        self._late.clear()  # the verdict brings them
        if verdict.findings:
            self._by_payer[verdict.payer or "(no payer id)"] += len(verdict.findings)
        if verdict.fails(self.threshold):
            self._held_count += 1
            if len(self._held) < SHOWN:
                self._held.append(verdict)

    def end(self, summaries: Sequence[FileSummary]) -> None:
        # Batch findings arrive after every claim: add them to their claim.
        held = {(v.file, v.claim): v for v in self._held}
        for finding in self._late:
            where = finding.location
            verdict = held.get((where.file, where.claim or ""))
            if verdict is not None:
                verdict.findings.append(finding)
        write = self.stream.write
        created = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
        files = ", ".join(_e(s.file) for s in summaries) or "no file"
        write(
            "<!doctype html><html lang=en><head><meta charset=utf-8>"
            "<meta name=viewport content='width=device-width,initial-scale=1'>"
            f"<title>lint837 report</title><style>{STYLE}</style></head><body>"
            f"<header><h1>lint837 report</h1><p>{files} &middot; {created} "
            f"&middot; lint837 {_e(__version__)}</p></header><main>"
        )
        write(self._tiles(summaries))
        write("<section><h2>Where the findings are</h2><div class=charts>")
        write(self._chart("By rule", self._by_rule, self._severity))
        write(self._chart("By payer", self._by_payer, {}))
        write("</div></section>")
        write(self._held_section())
        write(self._outside_section())
        write(self._rules_section())
        write("</main></body></html>\n")

    def _tiles(self, summaries: Sequence[FileSummary]) -> str:
        unreadable = sum(1 for s in summaries if s.error is not None)
        tiles = [
            ("claims", self._claims, ""),
            (f"held (at or above {self.threshold.value})", self._held_count, "error"),
            ("errors", self._totals[Severity.ERROR], "error"),
            ("warnings", self._totals[Severity.WARNING], "warning"),
            ("info", self._totals[Severity.INFO], "info"),
            ("files not read", unreadable, "error" if unreadable else ""),
        ]
        cells = "".join(
            f"<div class=tile><b class='{kind}'>{count:,}</b>{_e(label)}</div>"
            for label, count, kind in tiles
        )
        return f"<section><h2>Totals</h2><div class=tiles>{cells}</div></section>"

    def _chart(
        self, title: str, counts: Counter[str], severity: dict[str, Severity]
    ) -> str:
        if not counts:
            return f"<div><h3>{_e(title)}</h3><p class=empty>No findings.</p></div>"
        rows = counts.most_common(15)
        top = rows[0][1]
        height = 24 * len(rows) + 8
        bars = []
        for number, (name, count) in enumerate(rows):
            y = 4 + 24 * number
            width = max(2, round(260 * count / top))
            color = COLORS.get(severity.get(name, Severity.INFO), "#2c5d8f")
            bars.append(
                f"<text x=0 y={y + 15} font-size=13>{_e(name)}</text>"
                f"<rect x=110 y={y + 3} width={width} height=16 rx=3 fill='{color}'>"
                f"<title>{_e(name)}: {count}</title></rect>"
                f"<text x={116 + width} y={y + 15} font-size=12>{count:,}</text>"
            )
        return (
            f"<div><h3>{_e(title)}</h3><svg role=img aria-label='{_e(title)}' "
            f"width=440 height={height} viewBox='0 0 440 {height}'>"
            + "".join(bars)
            + "</svg></div>"
        )

    def _held_section(self) -> str:
        if not self._held:
            return "<section><h2>Held claims</h2><p class=empty>None.</p></section>"
        parts = [f"<section><h2>Held claims ({self._held_count:,})</h2>"]
        for verdict in self._held:
            rows = "".join(
                f"<tr><td><a href='#rule-{_e(f.rule)}'><code>{_e(f.rule)}</code></a>"
                f"</td><td class='{f.severity.value}'>{f.severity.value}</td>"
                f"<td>{_e(f.location.line or '')}</td>"
                f"<td><code>{_e(_where(f))}</code></td>"
                f"<td>{_e(f.message)}</td></tr>"
                for f in verdict.findings
            )
            parts.append(
                f"<div class=claim><b>Claim {_e(verdict.claim)}</b> &middot; "
                f"{_e(verdict.file)}, segment {verdict.segment_index} &middot; "
                f"payer {_e(verdict.payer or '?')}<table><tr><th>rule</th>"
                f"<th>severity</th><th>line</th><th>element</th><th>what to fix</th>"
                f"</tr>{rows}</table></div>"
            )
        if self._held_count > len(self._held):
            more = self._held_count - len(self._held)
            parts.append(f"<p>and {more:,} more (see the JSON output).</p>")
        parts.append("</section>")
        return "".join(parts)

    def _outside_section(self) -> str:
        if not self._outside:
            return ""
        rows = "".join(
            f"<tr><td><code>{_e(f.rule)}</code></td><td class='{f.severity.value}'>"
            f"{f.severity.value}</td><td>{_e(f.location.file)}:"
            f"{_e(f.location.segment_index or '')}</td><td>{_e(f.message)}</td></tr>"
            for f in self._outside
        )
        more = self._outside_count - len(self._outside)
        rest = f"<p>and {more:,} more (see the JSON output).</p>" if more else ""
        return (
            "<section><h2>Envelope and structure</h2><table><tr><th>rule</th>"
            f"<th>severity</th><th>where</th><th>what to fix</th></tr>{rows}</table>"
            f"{rest}</section>"
        )

    def _rules_section(self) -> str:
        found = [rule for rule in self.rules if rule.code in self._by_rule]
        items = "".join(
            f"<details id='rule-{_e(rule.code)}'><summary><code>{_e(rule.code)}</code> "
            f"{_e(rule.name)} &middot; {_e(rule.summary)}</summary>"
            f"<pre>{_e(rule.documentation)}</pre></details>"
            for rule in found
        )
        body = items or "<p class=empty>No rule found anything.</p>"
        return f"<section><h2>Why each rule fired</h2>{body}</section>"
