package dev.sealwright.nativeio;

import dev.sealwright.attest.dcap.Quote;
import dev.sealwright.base.RecipeException;
import dev.sealwright.tools.NativeHelpers;
import dev.sealwright.tools.ToolResult;
import dev.sealwright.tools.Tools;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * Typed bridge to the static {@code quote} helper: runs it in the guest for 64 bytes of report
 * data and returns what the TEE produced (a TDX DCAP quote, a TDREPORT, or an SNP report).
 */
public final class QuoteHelper {
    /** What the helper returned. */
    public enum Kind { TDX_QUOTE, TDX_REPORT, SNP_REPORT }

    /** The helper's output bytes and their kind; {@link #quote()} parses a TDX quote. */
    public record Output(Kind kind, byte[] bytes) {
        public Quote quote() {
            if (kind != Kind.TDX_QUOTE) {
                throw new RecipeException("quote helper returned a " + kind + ", not a DCAP quote");
            }
            return Quote.read(bytes, "quote helper output");
        }
    }

    private final Tools tools;
    private final Path helper;
    private Path tsmRoot;
    private Path device;

    public QuoteHelper(Tools tools) {
        this(tools, NativeHelpers.path("quote"));
    }

    QuoteHelper(Tools tools, Path helper) {
        this.tools = tools;
        this.helper = helper;
    }

    /** A configfs-tsm report root other than /sys/kernel/config/tsm/report (tests use a fake tree). */
    public QuoteHelper tsmRoot(Path root) {
        this.tsmRoot = root;
        return this;
    }

    /** A fallback device other than /dev/tdx_guest or /dev/sev-guest. */
    public QuoteHelper device(Path dev) {
        this.device = dev;
        return this;
    }

    public Output tdx(byte[] reportData) {
        return run("tdx", reportData);
    }

    public Output snp(byte[] reportData) {
        return run("snp", reportData);
    }

    private Output run(String tee, byte[] reportData) {
        if (reportData.length != 64) {
            throw new RecipeException("report data must be 64 bytes, got " + reportData.length);
        }
        Path out;
        try {
            out = Files.createTempFile("sealwright-quote-", ".bin");
        } catch (IOException e) {
            throw new RecipeException("cannot create a temporary file for the quote: " + e.getMessage(), e);
        }
        try {
            List<Object> args = new ArrayList<>(List.of(tee, HexFormat.of().formatHex(reportData), "--out", out));
            if (tsmRoot != null) {
                args.add("--tsm");
                args.add(tsmRoot);
            }
            if (device != null) {
                args.add("--device");
                args.add(device);
            }
            ToolResult r = tools.exec(helper.toString(), args.toArray()).timeout(Duration.ofSeconds(60)).allowFailure().run();
            if (!r.ok()) {
                throw new RecipeException("quote helper (" + tee + ") failed, " + meaning(r.exitCode()) + ": "
                        + r.stderr().strip().replaceFirst("^quote: ", ""));
            }
            byte[] bytes = Files.readAllBytes(out);
            Kind kind = tee.equals("snp") ? Kind.SNP_REPORT
                    : r.stderr().contains("TDREPORT") ? Kind.TDX_REPORT : Kind.TDX_QUOTE;
            return new Output(kind, bytes);
        } catch (IOException e) {
            throw new RecipeException("cannot read the quote helper output: " + e.getMessage(), e);
        } finally {
            try {
                Files.deleteIfExists(out);
            } catch (IOException ignored) {
                // a leftover temp file is harmless
            }
        }
    }

    /** The helper's documented exit codes. */
    static String meaning(int exit) {
        return switch (exit) {
            case 1 -> "request failed";
            case 2 -> "usage error";
            case 3 -> "no TEE interface available";
            case 4 -> "configfs-tsm generation race (concurrent writer)";
            case 5 -> "configfs-tsm provider is another TEE";
            default -> "exit " + exit;
        };
    }
}
