package dev.roster.node.http;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ParamsTest {
  @ParameterizedTest
  @ValueSource(
      strings = {"0", "7", "-1", "-0", "007", "9223372036854775807", "-9223372036854775808"})
  void asciiDecimalNumbersParseAsLongParseLongDoes(String text) {
    assertThat(Params.asciiLong(text)).isEqualTo(Long.parseLong(text));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "-",
        "+1",
        " 1",
        "1 ",
        "1\n",
        "1.0",
        "1e3",
        "0x1",
        "--1",
        "1-",
        "\uFF11",
        "\u0661",
        "\u0967",
        "1\uFF10", // fullwidth, Arabic-Indic, Devanagari digits
        "9223372036854775808",
        "-9223372036854775809"
      })
  void anythingElseIsNotANumber(String text) {
    assertThat(Params.asciiLong(text)).isNull();
  }

  @ParameterizedTest
  @ValueSource(strings = {"2147483648", "-2147483649"})
  void asciiIntIsBoundedByInt(String text) {
    assertThat(Params.asciiInt(text)).isNull();
    assertThat(Params.asciiInt("2147483647")).isEqualTo(Integer.MAX_VALUE);
  }
}
