package ai.poncho.provider.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.MultiMap;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import org.junit.jupiter.api.Test;

class UpstreamErrorsTest {

  @Test
  void retryAfterIsReadAsSecondsMillisecondsOrHttpDate() {
    assertThat(UpstreamErrors.retryAfterMs(MultiMap.caseInsensitiveMultiMap().add("Retry-After", "2"))).isEqualTo(2000);
    assertThat(UpstreamErrors.retryAfterMs(MultiMap.caseInsensitiveMultiMap().add("retry-after-ms", "150")
        .add("Retry-After", "9"))).isEqualTo(150);
    String date = DateTimeFormatter.RFC_1123_DATE_TIME.format(ZonedDateTime.now().plusSeconds(30));
    assertThat(UpstreamErrors.retryAfterMs(MultiMap.caseInsensitiveMultiMap().add("Retry-After", date)))
        .isBetween(25_000L, 30_000L);
    assertThat(UpstreamErrors.retryAfterMs(MultiMap.caseInsensitiveMultiMap().add("Retry-After", "soon")))
        .isEqualTo(-1);
    assertThat(UpstreamErrors.retryAfterMs(MultiMap.caseInsensitiveMultiMap())).isEqualTo(-1);
  }
}
