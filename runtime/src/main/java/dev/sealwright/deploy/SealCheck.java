package dev.sealwright.deploy;

import dev.sealwright.base.AtomicFiles;
import dev.sealwright.base.OneLine;
import dev.sealwright.base.RecipeException;
import dev.sealwright.disk.format.RawDisk;
import dev.sealwright.disk.gpt.GptDisk;
import dev.sealwright.disk.gpt.GptPartition;
import dev.sealwright.disk.luks2.ByteRegion;
import dev.sealwright.disk.luks2.Entropy;
import dev.sealwright.disk.luks2.Luks2Volume;
import dev.sealwright.measure.event.BootEvent;
import dev.sealwright.measure.event.EventLog;
import dev.sealwright.measure.event.HashAlg;
import dev.sealwright.measure.event.Registers;
import dev.sealwright.measure.event.Tcg2EventLogCodec;
import dev.sealwright.tools.ToolResult;
import dev.sealwright.tools.Tools;
import dev.sealwright.tpm.OfflineSeal;
import dev.sealwright.tpm.PcrValues;
import dev.sealwright.tpm.SystemdTpm2Token;
import dev.sealwright.tpm.TpmHash;
import dev.sealwright.vm.VmHandle;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.EnumMap;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Did the key {@code disk deploy} sealed into a boot disk's {@code systemd-tpm2} token unseal in this
 * boot? The guest's init, booted with {@code sealwright.tpmreport=1}, prints its TPM's PCRs (sysfs) and
 * event log on the console ({@link GuestTpm}). The host then
 * <ol>
 * <li>compares the PCRs the token was sealed to (a PCR values JSON, {@code disk.deploy}'s
 * {@code pcrValues}) with the guest's: {@link Result#mismatches()};</li>
 * <li>checks that the guest's event log replays to the guest's values of the token's PCRs, starts a
 * swtpm from a copy of the VM's TPM state (same seeds, same SRK), extends exactly the guest's logged
 * events of those PCRs, and lets that real TPM import, load and unseal the token's blob under its
 * PolicyPCR (tpm2-tools); the secret counts as unsealed only if base64 of it also opens the token's
 * keyslot: {@link Result#unsealed()}.</li>
 * </ol>
 * The TPM's policy depends on nothing but the PCR values, so this is the unseal of that boot; the secret
 * stays in a 0700 temp directory that is removed, and is never printed.
 */
public final class SealCheck {
    /** The line that ends the guest's TPM report. */
    public static final Pattern REPORT_END = Pattern.compile("^SW-TPM end\\b");
    private static final Pattern PCR = Pattern.compile("^SW-TPM pcr (sha1|sha256|sha384|sha512) (\\d+) ([0-9A-Fa-f]+)$");
    private static final String LOG = "SW-TPM eventlog ";

    private SealCheck() {}

    /** The guest's PCR values per bank and its binary TCG2 event log, as its init printed them. */
    public record GuestTpm(Map<TpmHash, Map<Integer, String>> pcrs, byte[] eventLog) {
        public static GuestTpm parse(List<String> console) {
            Map<TpmHash, Map<Integer, String>> pcrs = new EnumMap<>(TpmHash.class);
            StringBuilder log = new StringBuilder();
            String end = null;
            for (String line : console) {
                Matcher m = PCR.matcher(line.strip());
                if (m.matches()) pcrs.computeIfAbsent(TpmHash.fromLabel(m.group(1)), b -> new TreeMap<>())
                        .put(Integer.parseInt(m.group(2)), m.group(3).toLowerCase(java.util.Locale.ROOT));
                else if (line.startsWith(LOG)) log.append(line.substring(LOG.length()).strip());
                else if (REPORT_END.matcher(line).find()) end = line;
            }
            if (end == null) throw new RecipeException("the guest printed no TPM report (its init prints one when the kernel command line has sealwright.tpmreport=1)");
            if (end.contains("result=no-tpm")) throw new RecipeException("the guest found no TPM (launch it with vtpm)");
            byte[] bytes;
            try {
                bytes = Base64.getDecoder().decode(log.toString());
            } catch (IllegalArgumentException e) {
                throw new RecipeException("the guest's TPM event log on the console is not base64: " + e.getMessage());
            }
            return new GuestTpm(pcrs, bytes);
        }

        String pcr(TpmHash bank, int pcr) {
            Map<Integer, String> b = pcrs.get(bank);
            return b == null ? null : b.get(pcr);
        }
    }

    /**
     * @param compared    how many sealed-to PCR values were compared with the guest's
     * @param mismatches  one line per PCR whose guest value differs ("sha256:4 guest … sealed to …")
     * @param unsealed    the TPM unsealed the token's secret and base64 of it opens the token's keyslot
     * @param detail      why not, or which keyslot opened
     */
    public record Result(int compared, List<String> mismatches, boolean unsealed, String detail) {}

    public static Result check(List<String> console, Path sealedTo, Path bootDisk, Path tpmState, Tools tools) throws IOException {
        GuestTpm guest = GuestTpm.parse(console);
        List<String> mismatches = new ArrayList<>();
        int compared = 0;
        PcrValues expected = PcrValues.read(sealedTo);
        for (TpmHash bank : expected.banks())
            for (int pcr : expected.pcrs(bank)) {
                compared++;
                String want = HexFormat.of().formatHex(expected.get(bank, pcr)), got = guest.pcr(bank, pcr);
                if (!want.equals(got)) mismatches.add(bank.label() + ":" + pcr + " guest " + (got == null ? "(not reported)" : got) + " sealed to " + want);
            }
        Unseal u = unseal(guest, bootDisk, tpmState, tools);
        return new Result(compared, List.copyOf(mismatches), u.ok(), u.detail());
    }

    private record Unseal(boolean ok, String detail) {}

    private static Unseal unseal(GuestTpm guest, Path bootDisk, Path tpmState, Tools tools) throws IOException {
        try (RawDisk disk = RawDisk.open(bootDisk, tools);
             FileChannel ch = FileChannel.open(disk.path(), StandardOpenOption.READ)) {
            GptDisk gpt = GptDisk.read(ch, disk.size(), bootDisk.toString());
            for (GptPartition p : gpt.partitions()) {
                if (!isLuks(ch, p)) continue;
                ByteRegion region = new ByteRegion(ch, p.firstLba() * GptDisk.LBA, p.sizeLbas() * GptDisk.LBA);
                try (Luks2Volume v = Luks2Volume.open(region, bootDisk + " partition " + p.number(), Entropy.secure())) {
                    for (Iterator<Map.Entry<String, com.fasterxml.jackson.databind.JsonNode>> it = v.tokens().fields(); it.hasNext(); ) {
                        var t = it.next().getValue();
                        if (SystemdTpm2Token.TYPE.equals(t.path("type").asText())) return unseal(guest, SystemdTpm2Token.fromJson(t), v, tpmState, tools);
                    }
                }
            }
        }
        throw new RecipeException(bootDisk + ": no LUKS2 partition with a systemd-tpm2 token (deploy it with disk deploy first)");
    }

    private static boolean isLuks(FileChannel ch, GptPartition p) throws IOException {
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(6);
        ch.read(b, p.firstLba() * GptDisk.LBA);
        return Arrays.equals(b.array(), new byte[] {'L', 'U', 'K', 'S', (byte) 0xBA, (byte) 0xBE});
    }

    private static Unseal unseal(GuestTpm guest, SystemdTpm2Token token, Luks2Volume volume, Path tpmState, Tools tools) throws IOException {
        EventLog log;
        try {
            log = Tcg2EventLogCodec.read(guest.eventLog(), "the guest's TPM event log", null);
        } catch (RecipeException e) {
            return new Unseal(false, "the guest's event log cannot be read: " + e.getMessage());
        }
        HashAlg alg = HashAlg.byLabel(token.pcrBank().label());
        Registers replayed = Registers.replay(log, alg);
        for (int pcr : token.pcrs())
            if (!replayed.hex(pcr).equals(guest.pcr(token.pcrBank(), pcr)))
                return new Unseal(false, "the guest's event log does not replay to its " + token.pcrBank().label() + " PCR " + pcr);
        Path dir = Files.createTempDirectory("sealwright-unseal-");   // 0700
        Process swtpm = null;
        try {
            VmHandle.copyTpmState(tpmState, dir.resolve("state"));
            Path socket = dir.resolve("tpm.sock");
            swtpm = tools.exec("swtpm", "socket", "--tpm2", "--server", "type=unixio,path=" + socket,
                    "--ctrl", "type=unixio,path=" + socket + ".ctrl", "--tpmstate", "dir=" + dir.resolve("state"),
                    "--flags", "not-need-init,startup-clear").start(dir.resolve("swtpm.log"), dir.resolve("swtpm.log"));
            for (int i = 0; i < 200 && !Files.exists(socket) && swtpm.isAlive(); i++) Thread.sleep(25);
            if (!Files.exists(socket)) throw new RecipeException("swtpm for the unseal check did not start: " + OneLine.of(Files.readString(dir.resolve("swtpm.log"))));
            String tcti = "swtpm:path=" + socket;   // the TCTI finds the control socket at PATH.ctrl
            String selection = token.pcrBank().label() + ":" + token.pcrs().stream().map(String::valueOf).reduce((a, b) -> a + "," + b).orElseThrow();
            for (BootEvent e : log.events())
                if (e.extended() && token.pcrs().contains((int) e.index()))
                    tpm(tools, tcti, dir, "pcrextend", e.index() + ":" + alg.label() + "=" + e.digestHex(alg)).run();
            OfflineSeal.SealedBlob blob = SystemdTpm2Token.parseBlob(token.blob());
            Files.write(dir.resolve("sealed.pub"), blob.sealedPublic().toSizedBytes());
            Files.write(dir.resolve("sealed.dpriv"), blob.duplicate().toSizedBytes());
            String parent = "0x" + Integer.toHexString(SystemdTpm2Token.SRK_HANDLE);
            if (blob.seed() != null) {
                Files.write(dir.resolve("sealed.seed"), blob.seed().toSizedBytes());
                ToolResult imported = tpm(tools, tcti, dir, "import", "-C", parent, "-u", "sealed.pub", "-i", "sealed.dpriv", "-s", "sealed.seed", "-r", "sealed.priv").allowFailure().run();
                if (!imported.ok()) return new Unseal(false, "the TPM refused to import the token's blob under " + parent + ": " + lastLine(imported));
                tpm(tools, tcti, dir, "flushcontext", "-t").run();
            } else {
                Files.copy(dir.resolve("sealed.dpriv"), dir.resolve("sealed.priv"));
            }
            ToolResult loaded = tpm(tools, tcti, dir, "load", "-C", parent, "-u", "sealed.pub", "-r", "sealed.priv", "-c", "sealed.ctx").allowFailure().run();
            if (!loaded.ok()) return new Unseal(false, "the TPM refused to load the token's blob under " + parent + ": " + lastLine(loaded));
            tpm(tools, tcti, dir, "flushcontext", "-t").run();
            ToolResult unsealed = tpm(tools, tcti, dir, "unseal", "-c", "sealed.ctx", "-p", "pcr:" + selection, "-o", "secret").allowFailure().run();
            if (!unsealed.ok()) return new Unseal(false, "the TPM refused to unseal under PolicyPCR(" + selection + "): " + lastLine(unsealed));
            byte[] secret = Files.readAllBytes(dir.resolve("secret"));
            Files.delete(dir.resolve("secret"));
            byte[] passphrase = Base64.getEncoder().encode(secret);
            Arrays.fill(secret, (byte) 0);
            try {
                for (int slot : token.keyslots()) {
                    byte[] key = volume.tryKeyslot(slot, passphrase);
                    if (key != null) {
                        Arrays.fill(key, (byte) 0);
                        return new Unseal(true, "unsealed under PolicyPCR(" + selection + "); the secret opens keyslot " + slot);
                    }
                }
                return new Unseal(false, "the TPM unsealed a secret that opens none of the token's keyslots " + token.keyslots());
            } finally {
                Arrays.fill(passphrase, (byte) 0);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RecipeException("interrupted during the unseal check");
        } finally {
            if (swtpm != null) {
                Tools.destroyTree(swtpm);
                try {
                    swtpm.waitFor(5, java.util.concurrent.TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            AtomicFiles.deleteTree(dir);
        }
    }

    private static Tools.Invocation tpm(Tools tools, String tcti, Path dir, String command, String... args) {
        Object[] argv = new Object[args.length + 1];
        argv[0] = command;
        System.arraycopy(args, 0, argv, 1, args.length);
        return tools.exec("tpm2", argv).cwd(dir).env("TPM2TOOLS_TCTI", tcti).timeout(java.time.Duration.ofSeconds(60));
    }

    /** tpm2-tools' line with the TPM's response code ("ERROR: Esys_Unseal(0x99D) - tpm:session(1):a policy check failed"), else its last line. */
    private static String lastLine(ToolResult r) {
        List<String> lines = (r.stderr() + "\n" + r.stdout()).lines().filter(l -> !l.isBlank()).toList();
        if (lines.isEmpty()) return "exit " + r.exitCode();
        String pick = lines.get(lines.size() - 1);
        for (String l : lines) if (l.startsWith("ERROR: Esys_") || l.startsWith("ERROR: Tss2_")) pick = l;
        return OneLine.of(pick.strip());
    }

    /** One line for the log: how many sealed-to PCRs differ, and whether the key unsealed (and why not). */
    public static String summary(Result r) {
        return "seal check: " + r.mismatches().size() + " of " + r.compared() + " sealed-to PCRs differ from the guest's"
                + (r.mismatches().isEmpty() ? "" : " (" + String.join("; ", r.mismatches()) + ")")
                + "; unsealed: " + r.unsealed() + " (" + r.detail() + ")";
    }
}
