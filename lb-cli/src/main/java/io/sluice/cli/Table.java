package io.sluice.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Aligned columns for humans: widths from the plain text, colour (ANSI SGR) wrapped around the
 * padded cell so escape codes never shift the columns. Two spaces between columns, like kubectl.
 */
final class Table {

    /** A cell's colour; NONE prints plain. */
    enum Style {
        NONE(""), GREEN("32"), RED("31"), YELLOW("33"), CYAN("36"), DIM("2"), BOLD("1");

        final String sgr;

        Style(String sgr) {
            this.sgr = sgr;
        }
    }

    /** A cell's text with its colour. */
    record Cell(String text, Style style) {}

    private final boolean colour;
    private final String[] headers;
    private final boolean[] right;
    private final List<Cell[]> rows = new ArrayList<>();

    Table(boolean colour, String... headers) {
        this.colour = colour;
        this.headers = headers;
        this.right = new boolean[headers.length];
    }

    /** Right-aligns the given columns (numbers). */
    Table alignRight(int... columns) {
        for (int c : columns) {
            right[c] = true;
        }
        return this;
    }

    /** @param cells a {@link Cell} or anything else (printed with {@code String.valueOf}, null as "-") */
    Table row(Object... cells) {
        Cell[] row = new Cell[headers.length];
        for (int i = 0; i < headers.length; i++) {
            Object o = i < cells.length ? cells[i] : null;
            row[i] = o instanceof Cell c ? c : new Cell(o == null ? "-" : String.valueOf(o), Style.NONE);
        }
        rows.add(row);
        return this;
    }

    int size() {
        return rows.size();
    }

    void print(PrintWriter out) {
        int[] width = new int[headers.length];
        for (int i = 0; i < headers.length; i++) {
            width[i] = headers[i].length();
            for (Cell[] row : rows) {
                width[i] = Math.max(width[i], row[i].text().length());
            }
        }
        Cell[] head = Arrays.stream(headers).map(h -> new Cell(h, Style.BOLD)).toArray(Cell[]::new);
        line(out, head, width);
        for (Cell[] row : rows) {
            line(out, row, width);
        }
        out.flush();
    }

    private void line(PrintWriter out, Cell[] cells, int[] width) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < cells.length; i++) {
            boolean last = i == cells.length - 1;
            String text = cells[i].text();
            String pad = " ".repeat(width[i] - text.length());
            String padded = right[i] ? pad + text : (last ? text : text + pad);
            sb.append(paint(padded, cells[i].style(), colour));
            if (!last) {
                sb.append("  ");
            }
        }
        out.println(sb);
    }

    static String paint(String text, Style style, boolean colour) {
        if (!colour || style == Style.NONE) {
            return text;
        }
        return "\u001b[" + style.sgr + "m" + text + "\u001b[0m";
    }

    static Cell cell(String text, Style style) {
        return new Cell(text == null ? "-" : text, style);
    }
}
