package dev.sealwright.engine;

/** One declared output of a step type: a file, a directory, or a small value kept in the cache entry. */
public record OutputSpec(String name, Kind kind, String fileName, String description) {
    public enum Kind { FILE, DIRECTORY, VALUE }

    public static OutputSpec file(String name, String fileName, String description) {
        return new OutputSpec(name, Kind.FILE, fileName, description);
    }

    public static OutputSpec directory(String name, String fileName, String description) {
        return new OutputSpec(name, Kind.DIRECTORY, fileName, description);
    }

    public static OutputSpec value(String name, String description) {
        return new OutputSpec(name, Kind.VALUE, null, description);
    }

    public boolean isPath() {
        return kind != Kind.VALUE;
    }
}
