package org.jepmd.cli;

import org.junit.jupiter.api.Test;
import picocli.CommandLine.TypeConversionException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class AtoiTest {
    @Test
    void readsLeadingDigitsAndIgnoresTheRest() {
        assertEquals(4370, Atoi.parse("4370"));
        assertEquals(4370, Atoi.parse("4370x"));
        assertEquals(12, Atoi.parse("12.9"));
    }

    @Test
    void skipsLeadingWhiteSpaceAndTakesOneSign() {
        assertEquals(12, Atoi.parse(" \t\n12"));
        assertEquals(12, Atoi.parse("+12"));
        assertEquals(-5, Atoi.parse("-5"));
        assertEquals(0, Atoi.parse("--5"));
        assertEquals(0, Atoi.parse("- 5"));
    }

    @Test
    void textWithoutDigitsIsZero() {
        assertEquals(0, Atoi.parse("abc"));
        assertEquals(0, Atoi.parse(""));
        assertEquals(0, Atoi.parse(null));
        assertEquals(0, Atoi.parse("0x10"));
    }

    @Test
    void largeValuesKeepTheLow32BitsOfGlibcsSaturatedLong() {
        assertEquals(70000, Atoi.parse("70000"));
        assertEquals((int) 4294971665L, Atoi.parse("4294971665")); // 2^32 + 4369 -> 4369
        assertEquals(-1, Atoi.parse("99999999999999999999")); // LONG_MAX -> (int) -1
        assertEquals(0, Atoi.parse("-99999999999999999999")); // LONG_MIN -> (int) 0
    }

    @Test
    void optionValuesReadingAsZeroAreRejected() {
        Atoi.NonZero converter = new Atoi.NonZero();
        assertEquals(4370, converter.convert("4370"));
        assertEquals(-1, converter.convert("-1"));
        assertThrows(TypeConversionException.class, () -> converter.convert("0"));
        assertThrows(TypeConversionException.class, () -> converter.convert("abc"));
        assertThrows(TypeConversionException.class, () -> converter.convert(""));
    }
}
