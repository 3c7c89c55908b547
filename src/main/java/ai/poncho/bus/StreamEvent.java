package ai.poncho.bus;

/** What a stream's sink receives: chunks, then exactly one {@link StreamEnd} or {@link StreamFailure}. */
public sealed interface StreamEvent permits StreamChunk, StreamEnd, StreamFailure {

  String streamId();
}
