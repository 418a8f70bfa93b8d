package dev.sealwright.tools;

/** What a finished external program left behind. */
public record ToolResult(int exitCode, String stdout, String stderr) {
    public boolean ok() {
        return exitCode == 0;
    }
}
