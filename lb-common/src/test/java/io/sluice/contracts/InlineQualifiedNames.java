package io.sluice.contracts;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Finds inline fully qualified type names ({@code new java.util.ArrayList<>()}) in Java sources, where the
 * project's rule wants an import. Compiled classes cannot tell an import from a qualified name, so this
 * reads the source text: comments, string and character literals (text blocks included) are blanked first,
 * then the {@code package} and {@code import} lines are skipped.
 *
 * <p>A qualified name is accepted only when its simple name clashes with a type the file imports,
 * declares, or finds in its own package: then one of the two has to stay qualified.
 */
final class InlineQualifiedNames {

    /**
     * A dotted lower-case package path under a top-level name packages start with (java, javax, jdk, com, org,
     * io: the JDK, Netty, Sluice and every library here), then a type name.
     */
    private static final Pattern QUALIFIED = Pattern.compile(
            "(?<![\\w.$])((?:java|javax|jdk|com|org|io)(?:\\.[a-z_][a-z0-9_]*)+)\\.([A-Z][\\w$]*)");
    private static final Pattern IMPORT = Pattern.compile("^\\s*import\\s+(?:static\\s+)?([\\w.]+)\\s*;");
    private static final Pattern DECLARED = Pattern.compile("\\b(?:class|interface|enum|record)\\s+([A-Z][\\w$]*)");

    private InlineQualifiedNames() {
    }

    /** The Java sources of every module (src/main/java and src/test/java) and of bench/, under {@code root}. */
    static List<Path> sourcesUnder(Path root) throws IOException {
        List<Path> files = new ArrayList<>();
        try (Stream<Path> walk = Files.walk(root)) {
            walk.filter(p -> p.toString().endsWith(".java"))
                    .filter(p -> {
                        String s = root.relativize(p).toString().replace('\\', '/');
                        return s.matches("[^/]+/src/(main|test)/java/.*") || s.matches("bench/.+\\.java");
                    })
                    .sorted()
                    .forEach(files::add);
        }
        return files;
    }

    /** One "file:line: name" entry per inline qualified name in {@code files}, paths relative to {@code root}. */
    static List<String> findIn(Path root, List<Path> files) {
        Map<String, Set<String>> typesByPackage = new HashMap<>();
        for (Path file : files) {
            String name = file.getFileName().toString();
            typesByPackage.computeIfAbsent(packageDirectory(file), k -> new HashSet<>())
                    .add(name.substring(0, name.length() - ".java".length()));
        }
        List<String> found = new ArrayList<>();
        for (Path file : files) {
            try {
                String text = Files.readString(file, StandardCharsets.UTF_8);
                for (String hit : find(text, typesByPackage.get(packageDirectory(file)))) {
                    found.add(root.relativize(file) + ":" + hit);
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return found;
    }

    /**
     * The file's package as a directory below src/main/java or src/test/java: a package's types may sit in
     * main and test code, and in several modules.
     */
    private static String packageDirectory(Path file) {
        String path = file.getParent().toString().replace('\\', '/');
        int java = path.lastIndexOf("/java/");
        return java < 0 ? path : path.substring(java + "/java/".length());
    }

    /**
     * "line: name" for every inline qualified name in {@code source}; {@code packageTypes} are the simple names
     * of the types in the file's own package (a clash with one of them allows a qualified name).
     */
    static List<String> find(String source, Set<String> packageTypes) {
        String code = blankCommentsAndLiterals(source);
        String[] lines = code.split("\n", -1);
        Map<String, String> imported = new HashMap<>();
        Set<String> declared = new HashSet<>(packageTypes);
        for (String line : lines) {
            Matcher imp = IMPORT.matcher(line);
            if (imp.find()) {
                String fq = imp.group(1);
                imported.put(fq.substring(fq.lastIndexOf('.') + 1), fq);
            }
        }
        Matcher decl = DECLARED.matcher(code);
        while (decl.find()) {
            declared.add(decl.group(1));
        }
        List<String> found = new ArrayList<>();
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i];
            if (line.matches("\\s*(package|import)\\s.*")) {
                continue;
            }
            Matcher m = QUALIFIED.matcher(line);
            while (m.find()) {
                String simple = m.group(2);
                String fq = m.group(1) + "." + simple;
                String importedAs = imported.get(simple);
                boolean clash = (importedAs != null && !importedAs.equals(fq))
                        || (declared.contains(simple) && !fq.equals(ownName(source, simple)));
                if (!clash) {
                    found.add((i + 1) + ": " + fq);
                }
            }
        }
        return found;
    }

    /** The fully qualified name a type {@code simple} of this file's own package would have. */
    private static String ownName(String source, String simple) {
        Matcher pkg = Pattern.compile("(?m)^\\s*package\\s+([\\w.]+)\\s*;").matcher(source);
        return pkg.find() ? pkg.group(1) + "." + simple : simple;
    }

    /**
     * The source with comments and the contents of string, text-block and character literals replaced by
     * spaces, line breaks kept so that line numbers stay true.
     */
    static String blankCommentsAndLiterals(String s) {
        StringBuilder out = new StringBuilder(s.length());
        int i = 0;
        int n = s.length();
        while (i < n) {
            char c = s.charAt(i);
            if (s.startsWith("//", i)) {
                while (i < n && s.charAt(i) != '\n') {
                    out.append(' ');
                    i++;
                }
            } else if (s.startsWith("/*", i)) {
                int end = s.indexOf("*/", i + 2);
                end = end < 0 ? n : end + 2;
                blank(s, i, end, out);
                i = end;
            } else if (s.startsWith("\"\"\"", i)) {
                int end = closing(s, i + 3, "\"\"\"");
                blank(s, i, end, out);
                i = end;
            } else if (c == '"' || c == '\'') {
                int end = closing(s, i + 1, String.valueOf(c));
                blank(s, i, end, out);
                i = end;
            } else {
                out.append(c);
                i++;
            }
        }
        return out.toString();
    }

    /** The index just after the {@code quote} that closes a literal, skipping backslash escapes. */
    private static int closing(String s, int from, String quote) {
        int i = from;
        while (i < s.length()) {
            if (s.charAt(i) == '\\') {
                i += 2;
            } else if (s.startsWith(quote, i)) {
                return i + quote.length();
            } else if (s.charAt(i) == '\n' && quote.length() == 1) {
                return i; // an unterminated literal does not swallow the file
            } else {
                i++;
            }
        }
        return s.length();
    }

    private static void blank(String s, int from, int to, StringBuilder out) {
        for (int i = from; i < to; i++) {
            out.append(s.charAt(i) == '\n' ? '\n' : ' ');
        }
    }
}
