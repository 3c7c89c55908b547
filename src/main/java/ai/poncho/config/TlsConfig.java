package ai.poncho.config;

import java.time.Duration;
import java.util.Locale;

/**
 * TLS of the HTTP front end: {@code http.tls.*}. Either a PEM certificate chain and key
 * ({@code cert}, {@code key}) or a PKCS#12 keystore ({@code keystore}, {@code keystore_password}; a
 * {@code cert} ending in .p12/.pfx is read as one too). The files are checked every
 * {@code reload_interval} (and on SIGHUP) and reloaded without a restart when they change.
 */
public record TlsConfig(String cert, String key, String keystore, String keystorePassword, Duration reloadInterval) {

  public static final TlsConfig OFF = new TlsConfig(null, null, null, null, Duration.ZERO);

  static TlsConfig from(ConfigReader reader) {
    String cert = reader.string("cert", null);
    String key = reader.string("key", null);
    String keystore = reader.string("keystore", null);
    String password = reader.string("keystore_password", null);
    if (keystore == null && cert != null && isPkcs12(cert) && key == null) {
      keystore = cert;
      cert = null;
    }
    if (keystore != null && (cert != null || key != null)) {
      reader.problem("keystore", "set either http.tls.keystore or http.tls.cert with http.tls.key, not both");
    } else if (cert != null && key == null) {
      reader.problem("key", "is required with http.tls.cert (a PEM private key)");
    } else if (key != null && cert == null) {
      reader.problem("cert", "is required with http.tls.key (a PEM certificate chain)");
    }
    return new TlsConfig(cert, key, keystore, password, reader.duration("reload_interval", Duration.ofSeconds(10)));
  }

  public boolean enabled() {
    return cert != null || keystore != null;
  }

  private static boolean isPkcs12(String path) {
    String lower = path.toLowerCase(Locale.ROOT);
    return lower.endsWith(".p12") || lower.endsWith(".pfx");
  }
}
