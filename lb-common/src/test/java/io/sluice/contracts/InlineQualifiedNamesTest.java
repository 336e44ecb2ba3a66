package io.sluice.contracts;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The source scan behind {@link ArchitectureTest#noInlineQualifiedNames}: what it reports and what it lets pass. */
class InlineQualifiedNamesTest {

    @Test
    void reportsEachInlineNameWithItsLine() {
        String source = """
                package io.sluice.x;

                import java.util.List;

                class A {
                    List<String> names = new java.util.ArrayList<>();
                    io.netty.buffer.ByteBuf buf; java.util.Map.Entry<String, String> e;
                    void f(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) {}
                }
                """;
        assertEquals(List.of("6: java.util.ArrayList", "7: io.netty.buffer.ByteBuf", "7: java.util.Map",
                "8: org.junit.jupiter.api.io.TempDir", "8: java.nio.file.Path"),
                InlineQualifiedNames.find(source, Set.of()));
    }

    @Test
    void ignoresImportsCommentsAndLiterals() {
        String source = "package io.sluice.x;\n"
                + "import java.util.List;\n"
                + "import static io.sluice.x.B.CONSTANT;\n"
                + "/** Uses {@link java.util.ArrayList}. */\n"
                + "class A { // java.util.Map here\n"
                + "  /* io.netty.buffer.ByteBuf\n     java.util.Set */\n"
                + "  String s = \"java.util.HashMap \\\" io.sluice.x.B\";\n"
                + "  char c = '\"'; String t = \"\"\"\n      java.time.Duration\n      \"\"\";\n"
                + "  List<String> list = config.java.util; Object o = this.io.Thing;\n"
                + "}\n";
        assertEquals(List.of(), InlineQualifiedNames.find(source, Set.of()));
    }

    @Test
    void acceptsAQualifiedNameOnlyWhereTwoSimpleNamesClash() {
        String source = """
                package io.sluice.x;

                import java.util.List;

                class A {
                    java.awt.List widgets; io.sluice.x.Sibling same; io.sluice.y.Sibling other;
                    record Duration() {}
                    java.time.Duration d;
                }
                """;
        assertEquals(List.of("6: io.sluice.x.Sibling"), InlineQualifiedNames.find(source, Set.of("A", "Sibling")));
    }
}
