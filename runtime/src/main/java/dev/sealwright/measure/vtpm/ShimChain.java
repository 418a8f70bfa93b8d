package dev.sealwright.measure.vtpm;

import dev.sealwright.measure.shim.Sbat;
import dev.sealwright.measure.shim.GrubBootConfig;
import dev.sealwright.measure.shim.ShimBinary;
import dev.sealwright.disk.gpt.EspFiles;
import dev.sealwright.base.OneLine;
import dev.sealwright.base.RecipeException;
import dev.sealwright.image.pe.PeFile;
import dev.sealwright.image.pe.PeSection;
import dev.sealwright.measure.event.BootEvent;
import dev.sealwright.measure.event.EventType;
import dev.sealwright.measure.event.HashAlg;
import dev.sealwright.measure.event.UefiVariableData;
import dev.sealwright.uefi.EfiGuid;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * A shim → GRUB → Linux boot from an ESP under Secure Boot, and the TPM events shim and GRUB add after
 * the firmware has measured and started shim. Modelled and checked against real boots (ShimBootSpec):
 * Debian 12's shim 16.1 (shim-signed 1.51) and GRUB 2.06-13 (grub-efi-amd64-signed, the monolithic image
 * with prefix /EFI/debian) booting a Debian-signed kernel, with no MOK variables set (a fresh VM):
 * <ul>
 * <li>PCR 14 EV_IPL "MokList" = H(shim's vendor certificate as one EFI_CERT_X509 list, owner SHIM_LOCK),
 *     "MokListX" = H(the vendor dbx lists), "MokListTrusted" = H(01);</li>
 * <li>PCR 7 EV_EFI_VARIABLE_AUTHORITY SbatLevel (SHIM_LOCK) = shim's "previous" .sbatlevel policy, and
 *     once, for GRUB and the kernel together (shim logs each authority once), MokListRT (SHIM_LOCK) =
 *     owner ‖ vendor certificate;</li>
 * <li>PCR 4: GRUB's Authenticode (shim loads it), then the kernel's twice (GRUB 2.06-13's linux command);</li>
 * <li>PCR 8: GRUB's commands as "grub_cmd: ...", with the embedded early config's tests of $prefix first,
 *     and "kernel_cmdline: ..."; PCR 9: the files GRUB reads (grub.cfg, kernel, initrd).</li>
 * </ul>
 * GRUB and the kernel must be anchored by shim's vendor certificate and by no db entry (shim checks
 * db first and would then log a db authority, which is not modelled). {@code fallback}: the ESP also holds
 * shim's fallback {@code \EFI\BOOT\fbx64.efi}, which shim started as BOOTX64.EFI runs to create boot
 * options (and reset), so the boot variables are not those of a fresh VM's first boot.
 */
public record ShimChain(byte[] shim, byte[] grub, byte[] kernel, byte[] initrd, GrubBootConfig config, int espPartition, String source,
                        boolean fallback) {
    public static final UUID SHIM_LOCK = UUID.fromString("605dab50-e046-4300-abb6-3dd810dd8b23");
    /** GRUB versions (the grub.debian .sbat row) whose measurements a real boot confirmed. */
    static final List<String> MODELLED_GRUB = List.of("2.06-13");
    static final String PREFIX = "/EFI/debian";

    public static final String SHIM_PATH = "/EFI/BOOT/BOOTX64.EFI", GRUB_PATH = "/EFI/BOOT/grubx64.efi", CONFIG_PATH = PREFIX + "/grub.cfg",
            FALLBACK_PATH = "/EFI/BOOT/fbx64.efi";

    /** The chain an ESP holds: shim as BOOTX64.EFI, grubx64.efi beside it, {@code /EFI/debian/grub.cfg} and the kernel and initrd it names. */
    public static ShimChain fromEsp(EspFiles esp) throws IOException {
        String why = "for the shim → GRUB → kernel prediction";
        byte[] shim = esp.require(SHIM_PATH, why);
        byte[] grub = esp.require(GRUB_PATH, why);
        String cfgName = esp.name() + " ESP " + CONFIG_PATH;
        GrubBootConfig cfg = GrubBootConfig.parse(new String(esp.require(CONFIG_PATH, why), StandardCharsets.UTF_8), cfgName);
        return new ShimChain(shim, grub, esp.require(cfg.kernel(), why), esp.require(cfg.initrd(), why), cfg, esp.esp().number(), esp.name() + " ESP",
                esp.read(FALLBACK_PATH) != null);
    }

    /** Events after the firmware's authority and PCR 4 event for shim itself, in the order a real boot logs them. */
    public List<BootEvent> events(byte[] db, String dbSource) {
        ShimBinary s = ShimBinary.read(shim, source + " shim");
        checkGrub();
        requireVendorSigned(grub, source + " GRUB", s, db, dbSource);
        requireVendorSigned(kernel, source + " kernel", s, db, dbSource);
        byte[] owner = EfiGuid.bytes(SHIM_LOCK);
        List<BootEvent> ev = new ArrayList<>();
        ev.add(ipl(14, x509List(owner, s.vendorCert()), "MokList"));
        ev.add(ipl(14, s.vendorDbx(), "MokListX"));
        ev.add(shimAuthority("SbatLevel", s.sbatLevelPrevious().getBytes(StandardCharsets.US_ASCII), "SbatLevel (previous policy)"));
        ev.add(ipl(14, new byte[] {1}, "MokListTrusted"));
        byte[] signatureData = ByteBuffer.allocate(16 + s.vendorCert().length).put(owner).put(s.vendorCert()).array();
        ev.add(shimAuthority("MokListRT", signatureData, "shim's vendor certificate (verified GRUB and the kernel)"));
        ev.add(TpmBootEvents.bootApplication(authenticode(grub, source + " GRUB"), "GRUB"));
        String dev = "(hd0,gpt" + espPartition + ")";
        ev.add(command("[ -z " + dev + PREFIX + " -o ! -e " + dev + PREFIX + " ]"));
        ev.add(command("[ -e " + dev + PREFIX + "/x86_64-efi/grub.cfg ]"));
        ev.add(command("[ -e " + dev + PREFIX + "/grub.cfg ]"));
        ev.add(command("source " + dev + PREFIX + "/grub.cfg"));
        ev.add(file(dev + PREFIX + "/grub.cfg", config.text().getBytes(StandardCharsets.UTF_8)));
        for (String c : config.configCommands()) ev.add(command(c));
        ev.add(command(config.linuxCommand()));
        ev.add(file(config.kernel(), kernel));
        ev.add(TpmBootEvents.bootApplication(authenticode(kernel, source + " kernel"), "kernel (shim_lock verify)"));
        ev.add(TpmBootEvents.bootApplication(authenticode(kernel, source + " kernel"), "kernel (started by GRUB)"));
        ev.add(string("kernel_cmdline: ", config.kernelCmdline()));
        ev.add(command(config.initrdCommand()));
        ev.add(file(config.initrd(), initrd));
        return ev;
    }

    private void checkGrub() {
        PeFile pe = PeFile.read(grub, source + " GRUB");
        PeSection sbat = pe.section(".sbat");
        String version = sbat == null ? null : Sbat.parse(pe.content(sbat)).stream()
                .filter(r -> r.component().equals("grub.debian")).map(Sbat.Row::version).findFirst().orElse(null);
        if (version == null) throw new RecipeException(source + " GRUB: no grub.debian row in its .sbat; only Debian's signed GRUB " + MODELLED_GRUB + " is modelled");
        if (MODELLED_GRUB.stream().noneMatch(v -> version.equals(v) || version.startsWith(v + "+")))
            throw new RecipeException(source + " GRUB: version " + OneLine.of(version) + " is not modelled by this build (modelled: " + String.join(", ", MODELLED_GRUB) + ")");
    }

    private static void requireVendorSigned(byte[] image, String name, ShimBinary s, byte[] db, String dbSource) {
        boolean byDb;
        try {
            SecureBootAuthority.signatureData(image, name, db, dbSource);
            byDb = true;
        } catch (RecipeException notInDb) {
            byDb = false;
        }
        if (byDb) throw new RecipeException(name + ": a db entry verifies it, so shim would log a db authority; this build models images verified by shim's vendor certificate only");
        byte[] vendorDb = x509List(EfiGuid.bytes(SHIM_LOCK), s.vendorCert());
        SecureBootAuthority.signatureData(image, name, vendorDb, "shim's vendor certificate");
    }

    private static byte[] x509List(byte[] owner, byte[] cert) {
        return ByteBuffer.allocate(28 + 16 + cert.length).order(ByteOrder.LITTLE_ENDIAN)
                .put(EfiGuid.bytes(EfiGuid.CERT_X509)).putInt(28 + 16 + cert.length).putInt(0).putInt(16 + cert.length)
                .put(owner).put(cert).array();
    }

    private static BootEvent ipl(int pcr, byte[] measured, String name) {
        return BootEvent.measuring(pcr, EventType.EV_IPL, measured, (name + "\0").getBytes(StandardCharsets.US_ASCII), name, banks());
    }

    private static BootEvent shimAuthority(String name, byte[] value, String what) {
        byte[] v = UefiVariableData.encode(SHIM_LOCK.toString(), name, value);
        return BootEvent.measuring(7, EventType.EV_EFI_VARIABLE_AUTHORITY, v, v, "variable " + name + " (" + value.length + " bytes): " + what, banks());
    }

    private static BootEvent command(String cmd) {
        return string("grub_cmd: ", cmd);
    }

    /** GRUB 2.06 PCR 8: H(the string), data = the prefix, the string and a NUL. */
    private static BootEvent string(String prefix, String s) {
        byte[] data = (prefix + s + "\0").getBytes(StandardCharsets.UTF_8);
        return BootEvent.measuring(8, EventType.EV_IPL, s.getBytes(StandardCharsets.UTF_8), data, prefix + s, banks());
    }

    /** GRUB 2.06 PCR 9: H(file contents), data = the path as given and a NUL. */
    private static BootEvent file(String path, byte[] contents) {
        return BootEvent.measuring(9, EventType.EV_IPL, contents, (path + "\0").getBytes(StandardCharsets.UTF_8), path, banks());
    }

    private static HashAlg[] banks() {
        return TpmBootEvents.BANKS.toArray(HashAlg[]::new);
    }

    private static Map<HashAlg, byte[]> authenticode(byte[] pe, String what) {
        Map<HashAlg, byte[]> m = new LinkedHashMap<>();
        for (HashAlg alg : TpmBootEvents.BANKS)
            m.put(alg, PeFile.authenticodeDigest(pe, alg == HashAlg.SHA256 ? "SHA-256" : "SHA-384", what));
        return m;
    }
}
