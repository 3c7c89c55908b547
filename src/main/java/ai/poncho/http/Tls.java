package ai.poncho.http;

import ai.poncho.bus.Addresses;
import ai.poncho.config.TlsConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.file.FileProps;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.KeyCertOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PfxOptions;
import io.vertx.core.net.ServerSSLOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * TLS for the HTTP server: TLS 1.2 and 1.3 only, forward-secret AEAD cipher suites only, HTTP/2 over ALPN.
 * The certificate files are reloaded without a restart when they change (checked every
 * {@code http.tls.reload_interval}) or on SIGHUP ({@link Addresses#TLS_RELOAD}).
 */
final class Tls {

  private static final Logger LOG = LoggerFactory.getLogger(Tls.class);
  static final Set<String> PROTOCOLS = Set.of("TLSv1.2", "TLSv1.3");
  static final List<String> CIPHER_SUITES = List.of(
      "TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256",
      "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
      "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
      "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256", "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256");

  private final Vertx vertx;
  private final TlsConfig config;
  private final HttpServer server;
  private String fingerprint;
  private long timer = -1;
  private MessageConsumer<Object> consumer;

  private Tls(Vertx vertx, TlsConfig config, HttpServer server) {
    this.vertx = vertx;
    this.config = config;
    this.server = server;
  }

  static HttpServerOptions apply(HttpServerOptions options, TlsConfig config) {
    if (!config.enabled()) {
      return options;
    }
    options.setSsl(true).setUseAlpn(true).setKeyCertOptions(keyCert(config)).setEnabledSecureTransportProtocols(
        PROTOCOLS);
    CIPHER_SUITES.forEach(options::addEnabledCipherSuite);
    return options;
  }

  /** Starts watching the certificate files of a listening server; null when TLS is off. */
  static Future<Tls> watch(Vertx vertx, TlsConfig config, HttpServer server) {
    if (!config.enabled()) {
      return Future.succeededFuture(null);
    }
    Tls tls = new Tls(vertx, config, server);
    return tls.currentFingerprint().map(current -> {
      tls.fingerprint = current;
      if (!config.reloadInterval().isZero()) {
        tls.timer = vertx.setPeriodic(config.reloadInterval().toMillis(), id -> tls.reloadIfChanged());
      }
      tls.consumer = vertx.eventBus().localConsumer(Addresses.TLS_RELOAD, message -> tls.reload("SIGHUP"));
      return tls;
    });
  }

  void stop() {
    vertx.cancelTimer(timer);
    if (consumer != null) {
      consumer.unregister();
    }
  }

  private void reloadIfChanged() {
    currentFingerprint().onSuccess(current -> {
      if (!current.equals(fingerprint)) {
        fingerprint = current;
        reload("file change");
      }
    });
  }

  private void reload(String why) {
    ServerSSLOptions options = new ServerSSLOptions().setKeyCertOptions(keyCert(config)).setUseAlpn(true)
        .setEnabledSecureTransportProtocols(PROTOCOLS);
    CIPHER_SUITES.forEach(options::addEnabledCipherSuite);
    server.updateSSLOptions(options, true)
        .onSuccess(updated -> LOG.info("TLS certificate reloaded ({})", why))
        .onFailure(failure -> LOG.error("TLS certificate reload failed ({}), keeping the current one: {}", why,
            failure.getMessage()));
  }

  /** Modification times and sizes of the files: a change of any means "reload". */
  private Future<String> currentFingerprint() {
    List<Future<FileProps>> props = new ArrayList<>();
    for (String file : files()) {
      props.add(vertx.fileSystem().props(file));
    }
    return Future.all(props).map(all -> props.stream().map(p -> p.result().lastModifiedTime() + ":" + p.result().size())
        .collect(Collectors.joining(",")));
  }

  private List<String> files() {
    return config.keystore() != null ? List.of(config.keystore()) : List.of(config.cert(), config.key());
  }

  private static KeyCertOptions keyCert(TlsConfig config) {
    if (config.keystore() != null) {
      return new PfxOptions().setPath(config.keystore()).setPassword(config.keystorePassword());
    }
    return new PemKeyCertOptions().setCertPath(config.cert()).setKeyPath(config.key());
  }
}
