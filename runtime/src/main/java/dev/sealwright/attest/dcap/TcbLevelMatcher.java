package dev.sealwright.attest.dcap;

import java.time.Instant;
import java.util.Arrays;

/**
 * Matches a quote against TCB info (Intel QVL rules): the first platform level whose SGX component
 * SVNs and PCESVN (from the PCK certificate) and, for TDX, TEE_TCB_SVN components are all at least
 * the level's; then the TDX module identity {@code TDX_<minor>} keyed by TEE_TCB_SVN[0].
 */
final class TcbLevelMatcher {
    record Match(TcbInfo.Level platform, TcbInfo.IsvLevel module) {
    }

    private TcbLevelMatcher() {
    }

    static Match match(Quote quote, TcbInfo tcb, PckExtensions pck, Instant at) {
        String check = "tcb-info";
        String expectedId = quote.isTdx() ? "TDX" : "SGX";
        if (!tcb.id().equals(expectedId)) {
            throw new QuoteRejectedException(check, "TCB info is for \"" + tcb.id() + "\" but the quote is " + expectedId);
        }
        if (at.isBefore(tcb.issueDate()) || at.isAfter(tcb.nextUpdate())) {
            throw new QuoteRejectedException(check, "TCB info is not valid at " + at + " (" + tcb.issueDate() + " .. " + tcb.nextUpdate() + ")");
        }
        if (!Arrays.equals(Hex.parse(tcb.fmspc()), pck.fmspc())) {
            throw new QuoteRejectedException(check, "TCB info FMSPC " + tcb.fmspc().toLowerCase() + " is not the PCK's " + Hex.of(pck.fmspc()));
        }
        if (!Arrays.equals(Hex.parse(tcb.pceId()), pck.pceId())) {
            throw new QuoteRejectedException(check, "TCB info PCE-ID " + tcb.pceId() + " is not the PCK's " + Hex.of(pck.pceId()));
        }
        byte[] teeTcbSvn = quote.isTdx() ? quote.tdBody().teeTcbSvn() : null;
        // TDX 1.5+ (module minor version > 0): the module SVN bytes are matched by the module identity instead.
        int tdxFrom = teeTcbSvn != null && tcb.version() >= 3 && teeTcbSvn[1] != 0 ? 2 : 0;
        TcbInfo.Level platform = null;
        for (var level : tcb.levels()) {
            if (atLeast(pck.sgxTcbComponents(), level.sgxComponents(), 0) && pck.pceSvn() >= level.pceSvn()
                    && (teeTcbSvn == null || level.tdxComponents() != null
                    && atLeast(unsigned(teeTcbSvn), level.tdxComponents(), tdxFrom))) {
                platform = level;
                break;
            }
        }
        if (platform == null) {
            throw new QuoteRejectedException("tcb-level", "no matching TCB level in TCB info for FMSPC " + Hex.of(pck.fmspc())
                    + " (PCK SGX components " + Arrays.toString(pck.sgxTcbComponents()) + ", PCESVN " + pck.pceSvn()
                    + (teeTcbSvn == null ? "" : ", TEE_TCB_SVN " + Hex.of(teeTcbSvn)) + ")");
        }
        return new Match(platform, quote.isTdx() ? module(quote.tdBody(), tcb) : null);
    }

    private static TcbInfo.IsvLevel module(TdReportBody td, TcbInfo tcb) {
        String check = "tdx-module";
        int minor = td.teeTcbSvn()[1] & 0xff;
        String id = String.format("TDX_%02X", minor);
        TcbInfo.ModuleIdentity identity = tcb.tdxModuleIdentities().stream().filter(m -> m.id().equals(id)).findFirst()
                .orElse(null);
        if (identity == null && minor != 0 && !tcb.tdxModuleIdentities().isEmpty()) {
            throw new QuoteRejectedException(check, "TCB info has no TDX module identity " + id);
        }
        TcbInfo.ModuleIdentity base = identity != null ? identity : tcb.tdxModule();
        if (base == null) {
            return null;
        }
        if (!Arrays.equals(td.mrSignerSeam(), base.mrSigner())) {
            throw new QuoteRejectedException(check, "MRSIGNERSEAM " + Hex.of(td.mrSignerSeam()) + " is not " + Hex.of(base.mrSigner()));
        }
        if (!QuoteVerifier.maskedEquals(td.seamAttributes(), base.attributesMask(), base.attributes())) {
            throw new QuoteRejectedException(check, "SEAM attributes " + Hex.of(td.seamAttributes()) + " do not match the TDX module identity");
        }
        if (identity == null) {
            return null;
        }
        int isvSvn = td.teeTcbSvn()[0] & 0xff;
        for (var level : identity.levels()) {
            if (isvSvn >= level.isvSvn()) {
                return level;
            }
        }
        throw new QuoteRejectedException(check, "TDX module " + id + " SVN " + isvSvn + " is below every module TCB level");
    }

    private static int[] unsigned(byte[] b) {
        int[] out = new int[b.length];
        for (int i = 0; i < b.length; i++) {
            out[i] = b[i] & 0xff;
        }
        return out;
    }

    private static boolean atLeast(int[] actual, int[] required, int from) {
        for (int i = from; i < required.length; i++) {
            if (actual[i] < required[i]) {
                return false;
            }
        }
        return true;
    }
}
