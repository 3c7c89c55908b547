package ai.poncho.provider.openai;

import ai.poncho.chat.ChatChunk;
import ai.poncho.provider.http.SseParser;
import io.vertx.core.buffer.Buffer;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The per-stream work of the streamed proxy path that does not depend on the network: one upstream read
 * of the proxy scenario's stream (the bench mock's 22 events, usage and {@code [DONE]}, 6 KB) parsed as
 * SSE, each event read into a chunk, renamed to the client's model and written as the SSE the client
 * gets. Run by loadtest/stream-path-bench.sh, not by the test suite; prints CPU microseconds per stream
 * (thread CPU time, so a machine shared with other work changes it little).
 */
public final class StreamPathBenchmark {

  private StreamPathBenchmark() {
  }

  public static void main(String[] args) throws Exception {
    byte[] read = upstreamRead().getBytes(StandardCharsets.UTF_8);
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    long bytes = 0;
    double best = Double.MAX_VALUE;
    for (int round = 0; round < 60; round++) {
      int streams = 10_000;
      long start = threads.getCurrentThreadCpuTime();
      for (int i = 0; i < streams; i++) {
        bytes += stream(read).length();
      }
      best = Math.min(best, (threads.getCurrentThreadCpuTime() - start) / 1000.0 / streams);
    }
    System.out.printf("best of 60 rounds: %.2f CPU us per stream (%d bytes written)%n", best, bytes);
  }

  private static Buffer stream(byte[] read) throws ChunkReader.Malformed {
    List<ChatChunk> chunks = new ArrayList<>();
    List<ChunkReader.Malformed> failures = new ArrayList<>();
    SseParser parser = new SseParser((SseParser.RawListener) (event, data, from, to) -> {
      if (data[from] == '{') {
        try {
          chunks.add(ChunkReader.read(data, from, to));
        } catch (ChunkReader.Malformed e) {
          failures.add(e);
        }
      }
    });
    parser.feed(Buffer.buffer(read));
    if (!failures.isEmpty()) {
      throw failures.get(0);
    }
    StringBuilder out = new StringBuilder(1024);
    for (ChatChunk chunk : chunks) {
      out.append("data: ");
      chunk.withModel("gpt-4o-mini").writeJson(out, false);
      out.append("\n\n");
    }
    return Buffer.buffer(out.append("data: [DONE]\n\n").toString());
  }

  /** What ../shared/bench/mock-upstream.js sends for a streamed call with include_usage, in one write. */
  private static String upstreamRead() {
    String head = "{\"id\":\"chatcmpl-mocktph23m8ws\",\"object\":\"chat.completion.chunk\",\"created\":1796305378,"
        + "\"model\":\"gpt-4o-mini-2024-07-18\",\"system_fingerprint\":\"fp_mock0001\",";
    String[] words = ("Hello! This is a mock response from the benchmark upstream. It is pre-serialized so that the "
        + "upstream never").split(" ");
    StringBuilder read = new StringBuilder();
    read.append("data: ").append(head).append("\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\","
        + "\"content\":\"\",\"refusal\":null},\"logprobs\":null,\"finish_reason\":null}]}\n\n");
    for (int i = 0; i < 20; i++) {
      read.append("data: ").append(head).append("\"choices\":[{\"index\":0,\"delta\":{\"content\":\"")
          .append(i == 0 ? "" : " ").append(words[i % words.length])
          .append("\"},\"logprobs\":null,\"finish_reason\":null}]}\n\n");
    }
    read.append("data: ").append(head).append("\"choices\":[{\"index\":0,\"delta\":{},\"logprobs\":null,"
        + "\"finish_reason\":\"stop\"}]}\n\n");
    read.append("data: ").append(head).append("\"choices\":[],\"usage\":{\"prompt_tokens\":25,\"completion_tokens\":20,"
        + "\"total_tokens\":45,\"prompt_tokens_details\":{\"cached_tokens\":0,\"audio_tokens\":0},"
        + "\"completion_tokens_details\":{\"reasoning_tokens\":0,\"audio_tokens\":0,\"accepted_prediction_tokens\":0,"
        + "\"rejected_prediction_tokens\":0}}}\n\n");
    return read.append("data: [DONE]\n\n").toString();
  }
}
