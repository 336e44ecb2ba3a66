import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Draws bench/compare.sh's summary.tsv as an SVG bar chart (no dependencies):
 * `java bench/Chart.java summary.tsv chart.svg [title]`.
 *
 * One row per measured line (workload, variant, metric). Two bars per row: the ratio of medians
 * sluice/haproxy and sluice/direct (where the row has those medians), on one linear scale with a
 * dashed line at 1.0; the medians themselves are written at the right. Each row says whether
 * higher or lower is better, so a ratio above 1 is not always good.
 *
 * Input columns (tab-separated, with a header line): threads workload variant metric unit better
 * direct haproxy sluice sluice_haproxy sluice_direct reps; "NA" where a value does not exist.
 */
public final class Chart {

    record Row(String label, String unit, String better, String direct, String haproxy, String sluice,
               double rsh, double rsd) {}

    public static void main(String[] args) throws IOException {
        if (args.length < 2) {
            System.err.println("usage: Chart summary.tsv chart.svg [title]");
            System.exit(2);
        }
        List<String> lines = Files.readAllLines(Path.of(args[0]));
        List<Row> rows = new ArrayList<>();
        for (String line : lines.subList(Math.min(1, lines.size()), lines.size())) {
            String[] f = line.split("\t", -1);
            if (f.length < 11) {
                continue;
            }
            double rsh = num(f[9]);
            double rsd = num(f[10]);
            if (f[3].equals("rss_before") || f[3].equals("rss_after")) {
                continue; // the per-connection row says it
            }
            if (Double.isNaN(rsh) && Double.isNaN(rsd)) {
                continue; // nothing to compare on this line (e.g. a Sluice-only metric)
            }
            rows.add(new Row(f[1] + " " + f[2] + " " + f[3], f[4], f[5], f[6], f[7], f[8], rsh, rsd));
        }
        String title = args.length > 2 ? args[2] : "Sluice vs HAProxy vs direct: ratios of medians";
        Files.writeString(Path.of(args[1]), svg(title, rows));
    }

    static double num(String s) {
        try {
            return Double.parseDouble(s);
        } catch (NumberFormatException e) {
            return Double.NaN;
        }
    }

    static String svg(String title, List<Row> rows) {
        int labelW = 300;
        int barW = 420;
        int textW = 330;
        int textX = labelW + barW + 90; // room for a clipped bar's label
        int rowH = 34;
        int top = 70;
        int width = labelW + barW + 90 + textW;
        int height = top + rows.size() * rowH + 40;
        double max = 1.25;
        for (Row r : rows) {
            if (!Double.isNaN(r.rsh)) {
                max = Math.max(max, r.rsh);
            }
            if (!Double.isNaN(r.rsd)) {
                max = Math.max(max, r.rsd);
            }
        }
        max = Math.min(Math.ceil(max * 4) / 4, 2.0); // longer bars are clipped and marked
        StringBuilder s = new StringBuilder();
        s.append(String.format(Locale.ROOT,
                "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" font-family=\"sans-serif\" font-size=\"12\">%n",
                width, height));
        s.append(String.format(Locale.ROOT, "<rect width=\"%d\" height=\"%d\" fill=\"white\"/>%n", width, height));
        s.append(String.format(Locale.ROOT, "<text x=\"10\" y=\"22\" font-size=\"16\" font-weight=\"bold\">%s</text>%n", esc(title)));
        s.append(String.format(Locale.ROOT,
                "<rect x=\"%d\" y=\"34\" width=\"12\" height=\"10\" fill=\"#2f6db5\"/><text x=\"%d\" y=\"43\">sluice / haproxy</text>%n",
                labelW, labelW + 16));
        s.append(String.format(Locale.ROOT,
                "<rect x=\"%d\" y=\"34\" width=\"12\" height=\"10\" fill=\"#a0a0a0\"/><text x=\"%d\" y=\"43\">sluice / direct</text>%n",
                labelW + 130, labelW + 146));
        s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"43\" fill=\"#555\">medians: s = sluice, h = haproxy, d = direct</text>%n",
                textX));
        // scale: ticks every 0.25 (or 0.5 past 2)
        double step = max > 2 ? 0.5 : 0.25;
        for (double t = 0; t <= max + 1e-9; t += step) {
            int x = labelW + (int) Math.round(t / max * barW);
            boolean one = Math.abs(t - 1.0) < 1e-9;
            s.append(String.format(Locale.ROOT,
                    "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"%s\" %s/>%n",
                    x, top - 8, x, top + rows.size() * rowH, one ? "#000" : "#ddd", one ? "stroke-dasharray=\"4,3\"" : ""));
            s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\" fill=\"#555\">%s</text>%n",
                    x, top + rows.size() * rowH + 16, fmt(t)));
        }
        int y = top;
        for (Row r : rows) {
            if ((rows.indexOf(r) & 1) == 1) {
                s.append(String.format(Locale.ROOT, "<rect x=\"0\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"#f4f4f4\" fill-opacity=\"0.6\"/>%n",
                        y, width, rowH));
            }
            s.append(String.format(Locale.ROOT, "<text x=\"10\" y=\"%d\">%s</text>%n", y + 15, esc(r.label)));
            s.append(String.format(Locale.ROOT, "<text x=\"10\" y=\"%d\" fill=\"#777\" font-size=\"10\">%s, %s is better</text>%n",
                    y + 28, esc(r.unit), esc(r.better)));
            bar(s, r.rsh, y + 4, "#2f6db5", labelW, barW, max);
            bar(s, r.rsd, y + 18, "#a0a0a0", labelW, barW, max);
            s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\">s %s   h %s   d %s</text>%n",
                    textX, y + 20, esc(r.sluice), esc(r.haproxy), esc(r.direct)));
            y += rowH;
        }
        s.append("</svg>\n");
        return s.toString();
    }

    static void bar(StringBuilder s, double v, int y, String color, int x0, int w, double max) {
        if (Double.isNaN(v)) {
            return;
        }
        boolean clipped = v > max;
        int len = (int) Math.round(Math.min(v, max) / max * w);
        s.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"11\" fill=\"%s\"/>%n", x0, y, len, color));
        s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" font-size=\"10\">%s%s</text>%n",
                x0 + len + 3, y + 9, fmt(v), clipped ? " (clipped)" : ""));
    }

    static String fmt(double v) {
        return String.format(Locale.ROOT, "%.2f", v);
    }

    static String esc(String t) {
        return t.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
