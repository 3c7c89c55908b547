package ai.poncho.prompt;

/** A prompt file after parsing: its metadata and its Handlebars template body. */
record ParsedPrompt(PromptMetadata metadata, String template) {
}
