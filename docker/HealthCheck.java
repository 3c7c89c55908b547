import java.net.HttpURLConnection;
import java.net.URI;

/**
 * The image's HEALTHCHECK: the runtime image has no shell, curl or wget, so the JRE it already carries
 * asks the server itself. Exits 0 when {@code GET <url>} answers 200 within the timeout, 1 otherwise.
 * Usage: {@code java HealthCheck [url]}; the default is {@code /health/ready} on {@code $PONCHO_HTTP__PORT}
 * (8080).
 */
public final class HealthCheck {

  private static final int TIMEOUT_MS = 3000;

  private HealthCheck() {
  }

  public static void main(String[] args) {
    String port = System.getenv().getOrDefault("PONCHO_HTTP__PORT", "8080");
    String url = args.length > 0 ? args[0] : "http://127.0.0.1:" + port + "/health/ready";
    try {
      HttpURLConnection connection = (HttpURLConnection) URI.create(url).toURL().openConnection();
      connection.setConnectTimeout(TIMEOUT_MS);
      connection.setReadTimeout(TIMEOUT_MS);
      int status = connection.getResponseCode();
      connection.disconnect();
      if (status == 200) {
        System.exit(0);
      }
      System.err.println(url + " answered " + status);
    } catch (Exception e) {
      System.err.println(url + ": " + e);
    }
    System.exit(1);
  }
}
