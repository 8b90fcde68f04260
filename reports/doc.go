// Package reports renders the results of a credbed run: report.json (a stable
// schema documented in docs/report-schema.md), junit.xml for CI, summary.md
// for CI comments, and report.html, a self-contained page with the threats x
// profiles matrix and one message sequence chart per scenario drawn as SVG
// from the typed trace.
package reports
