package dev.sealwright.tpm;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * TPML_PCR_SELECTION: u32 count ‖ {u16 hash ‖ u8 sizeofSelect ‖ bitmap} per bank; bit (pcr % 8) of
 * byte (pcr / 8). Banks keep their list order, PCRs are ascending within a bank.
 */
public record PcrSelection(List<Bank> banks) {
    public static final int PCR_COUNT = 24;
    static final int SIZE_OF_SELECT = 3;

    public record Bank(TpmHash hash, SortedSet<Integer> pcrs) {
        public Bank {
            pcrs = Collections.unmodifiableSortedSet(new TreeSet<>(pcrs));
            for (int p : pcrs) {
                if (p < 0 || p >= PCR_COUNT) throw new TpmFormatException("PCR index " + p + " out of range 0.." + (PCR_COUNT - 1));
            }
        }

        /** The bitmap as systemd stores it in tpm2-pcrs masks. */
        public int mask() {
            int m = 0;
            for (int p : pcrs) m |= 1 << p;
            return m;
        }
    }

    public PcrSelection {
        banks = List.copyOf(banks);
    }

    /**
     * Parses the tpm2-tools form {@code sha256:7,4[+sha1:0]}. Returns a RecipeException-type error
     * naming the bad part.
     */
    public static PcrSelection parse(String spec) {
        List<Bank> banks = new ArrayList<>();
        for (String part : spec.split("\\+")) {
            int colon = part.indexOf(':');
            if (colon <= 0 || colon == part.length() - 1) {
                throw new TpmFormatException("PCR selection '" + spec + "': expected BANK:PCR[,PCR...], e.g. sha256:7,4");
            }
            TpmHash hash = TpmHash.fromLabel(part.substring(0, colon));
            SortedSet<Integer> pcrs = new TreeSet<>();
            for (String n : part.substring(colon + 1).split(",")) {
                try {
                    pcrs.add(Integer.parseInt(n.trim()));
                } catch (NumberFormatException e) {
                    throw new TpmFormatException("PCR selection '" + spec + "': '" + n + "' is not a PCR number");
                }
            }
            banks.add(new Bank(hash, pcrs));
        }
        return new PcrSelection(banks);
    }

    public static PcrSelection read(TpmReader r) {
        int count = r.u32("TPML_PCR_SELECTION.count");
        if (count < 0 || count > 16) throw new TpmFormatException("TPML_PCR_SELECTION count " + count + " is more than 16 banks");
        List<Bank> banks = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            TpmHash hash = TpmHash.fromAlgId(r.u16("pcrSelections.hash"));
            int size = r.u8("pcrSelections.sizeofSelect");
            byte[] bitmap = r.bytes(size, "pcrSelections.pcrSelect");
            SortedSet<Integer> pcrs = new TreeSet<>();
            for (int b = 0; b < size * 8; b++) {
                if ((bitmap[b / 8] & (1 << (b % 8))) != 0) pcrs.add(b);
            }
            banks.add(new Bank(hash, pcrs));
        }
        return new PcrSelection(banks);
    }

    public void write(TpmWriter w) {
        w.u32(banks.size());
        for (Bank bank : banks) {
            byte[] bitmap = new byte[SIZE_OF_SELECT];
            for (int p : bank.pcrs()) bitmap[p / 8] |= (byte) (1 << (p % 8));
            w.u16(bank.hash().algId).u8(SIZE_OF_SELECT).bytes(bitmap);
        }
    }

    public byte[] toBytes() {
        TpmWriter w = new TpmWriter();
        write(w);
        return w.toBytes();
    }

    public static PcrSelection fromBytes(byte[] bytes) {
        TpmReader r = new TpmReader(bytes);
        PcrSelection s = read(r);
        r.end("TPML_PCR_SELECTION");
        return s;
    }

    /** The tpm2-tools form, e.g. {@code sha256:4,7}. */
    @Override
    public String toString() {
        List<String> parts = new ArrayList<>();
        for (Bank b : banks) {
            List<String> n = new ArrayList<>();
            for (int p : b.pcrs()) n.add(Integer.toString(p));
            parts.add(b.hash().label() + ":" + String.join(",", n));
        }
        return String.join("+", parts);
    }
}
