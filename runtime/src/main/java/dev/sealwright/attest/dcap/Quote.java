package dev.sealwright.attest.dcap;

import dev.sealwright.base.InputFiles;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A DCAP ECDSA quote, version 3 (SGX), 4 (TDX or SGX body) or 5 (body descriptor; SGX, TD10 or
 * TD15 body). {@link #read} parses strictly and ignores trailing bytes after the signature data
 * (some producers zero-pad); {@link #toBytes} writes the used bytes back, byte for byte.
 */
public record Quote(QuoteHeader header, int bodyType, SgxReportBody sgxBody, TdReportBody tdBody,
                    byte[] signature, byte[] attestationKey, QeReportCertificationData certification,
                    int trailingBytes) {
    public static final int BODY_SGX = 1;
    public static final int BODY_TD10 = 2;
    public static final int BODY_TD15 = 3;

    /** A quote file, binary or hex text; real quotes with their PCK chain are a few KiB. */
    public static final InputFiles.Bound FILE_BOUND = new InputFiles.Bound("a DCAP quote", 64 << 10);

    /** Reads a binary quote, or hex text (optionally 0x-prefixed) of one. */
    public static Quote readFile(Path file) {
        byte[] bytes = InputFiles.read(file, FILE_BOUND);
        return read(decodeHexText(bytes), file.toString());
    }

    /** Quotes are binary; hex text (dcap-qvl's samples) is recognised by its characters. */
    static byte[] decodeHexText(byte[] bytes) {
        String s = new String(bytes, java.nio.charset.StandardCharsets.ISO_8859_1).strip();
        if (s.startsWith("0x")) {
            s = s.substring(2);
        }
        if (s.length() < 2 * QuoteHeader.SIZE || s.length() % 2 != 0 || !s.matches("[0-9a-fA-F]+")) {
            return bytes;
        }
        return Hex.parse(s);
    }

    public static Quote read(byte[] bytes, String source) {
        var r = new LeReader(bytes, source);
        QuoteHeader h = QuoteHeader.read(r);
        if (h.version() < 3 || h.version() > 5) {
            throw r.fail("unsupported version " + h.version() + " (expected 3, 4 or 5)");
        }
        if (h.attestationKeyType() != QuoteHeader.ECDSA_P256) {
            throw r.fail("unsupported attestation key type " + h.attestationKeyType() + " (expected 2 = ECDSA P-256)");
        }
        if (h.teeType() != QuoteHeader.TEE_SGX && h.teeType() != QuoteHeader.TEE_TDX) {
            throw r.fail(String.format("unknown TEE type 0x%08x", h.teeType()));
        }
        if (h.version() == 3 && h.isTdx()) {
            throw r.fail("version 3 quotes are SGX only but TEE type is TDX");
        }
        int bodyType;
        if (h.version() == 5) {
            bodyType = r.u16("body_descriptor.type");
            long size = r.u32("body_descriptor.size");
            int expected = switch (bodyType) {
                case BODY_SGX -> SgxReportBody.SIZE;
                case BODY_TD10 -> TdReportBody.TD10_SIZE;
                case BODY_TD15 -> TdReportBody.TD15_SIZE;
                default -> throw r.fail("unknown body type " + bodyType + " (expected 1 SGX, 2 TD10, 3 TD15)");
            };
            if (size != expected) {
                throw r.fail("body type " + bodyType + " must be " + expected + " bytes, descriptor says " + size);
            }
        } else {
            bodyType = h.isTdx() ? BODY_TD10 : BODY_SGX;
        }
        if ((bodyType == BODY_SGX) == h.isTdx()) {
            throw r.fail("body type " + bodyType + " does not match TEE type " + String.format("0x%08x", h.teeType()));
        }
        SgxReportBody sgx = bodyType == BODY_SGX ? SgxReportBody.read(r, "sgx_report") : null;
        TdReportBody td = bodyType == BODY_SGX ? null : TdReportBody.read(r, bodyType == BODY_TD15);
        int sigLen = r.length("signature_data_len");
        int sigEnd = r.position() + sigLen;
        var s = new LeReader(bytes, r.position(), sigEnd, source);
        byte[] signature = s.bytes(64, "quote_signature");
        byte[] key = s.bytes(64, "attestation_key");
        QeReportCertificationData cert;
        if (h.version() == 3) {
            cert = QeReportCertificationData.read(s);
        } else {
            int type = s.u16("certification_data.type");
            if (type != QeReportCertificationData.QE_REPORT_CERT_DATA) {
                throw s.fail("certification data type " + type + " (expected 6 = QE report certification data)");
            }
            int size = s.length("certification_data.size");
            int innerEnd = s.position() + size;
            var inner = new LeReader(bytes, s.position(), innerEnd, source);
            cert = QeReportCertificationData.read(inner);
            if (inner.remaining() != 0) {
                throw inner.fail(inner.remaining() + " unexplained bytes inside the QE report certification data");
            }
            s = new LeReader(bytes, innerEnd, sigEnd, source);
        }
        if (s.remaining() != 0) {
            throw s.fail(s.remaining() + " unexplained bytes inside the signature data");
        }
        return new Quote(h, bodyType, sgx, td, signature, key, cert, bytes.length - sigEnd);
    }

    public byte[] toBytes() {
        var w = new LeWriter().bytes(signedRegion());
        var sig = new LeWriter().bytes(signature).bytes(attestationKey);
        if (header.version() == 3) {
            certification.write(sig);
        } else {
            sig.u16(QeReportCertificationData.QE_REPORT_CERT_DATA).u32(certification.size());
            certification.write(sig);
        }
        byte[] s = sig.toByteArray();
        return w.u32(s.length).bytes(s).toByteArray();
    }

    /** Header, v5 body descriptor and body: the bytes the attestation key signs. */
    public byte[] signedRegion() {
        var w = new LeWriter();
        header.write(w);
        if (header.version() == 5) {
            w.u16(bodyType).u32(bodyType == BODY_SGX ? SgxReportBody.SIZE : tdBody.size());
        }
        if (sgxBody != null) {
            sgxBody.write(w);
        } else {
            tdBody.write(w);
        }
        return w.toByteArray();
    }

    public boolean isTdx() {
        return tdBody != null;
    }

    public byte[] reportData() {
        return isTdx() ? tdBody.reportData() : sgxBody.reportData();
    }

    public String bodyTypeName() {
        return switch (bodyType) {
            case BODY_SGX -> "SGX";
            case BODY_TD10 -> "TD10";
            default -> "TD15";
        };
    }

    /** Every field by name, in quote order (what {@code quote show} prints). */
    public Map<String, Object> fields() {
        var m = new LinkedHashMap<String, Object>();
        if (new String(header.userData(), java.nio.charset.StandardCharsets.ISO_8859_1).startsWith("SIMULATED")) {
            m.put("SIMULATED", "header user data says SIMULATED: produced by sealwright's test provider, not a TEE");
        }
        m.put("header", header.fields());
        m.put("body_type", bodyTypeName());
        m.put("body", isTdx() ? tdBody.fields() : sgxBody.fields());
        var sig = new LinkedHashMap<String, Object>();
        sig.put("quote_signature", Hex.of(signature));
        sig.put("attestation_key", Hex.of(attestationKey));
        sig.putAll(certification.fields());
        m.put("signature_data", sig);
        m.put("trailing_bytes", trailingBytes);
        return m;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Quote q && Arrays.equals(toBytes(), q.toBytes()) && trailingBytes == q.trailingBytes;
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(toBytes());
    }
}
