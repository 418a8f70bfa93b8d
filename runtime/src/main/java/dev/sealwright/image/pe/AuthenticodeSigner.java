package dev.sealwright.image.pe;

import dev.sealwright.base.RecipeException;
import org.bouncycastle.asn1.ASN1EncodableVector;
import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.asn1.DERBMPString;
import org.bouncycastle.asn1.DERBitString;
import org.bouncycastle.asn1.DERNull;
import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.DERSequence;
import org.bouncycastle.asn1.DERSet;
import org.bouncycastle.asn1.DERTaggedObject;
import org.bouncycastle.asn1.cms.Attribute;
import org.bouncycastle.asn1.cms.AttributeTable;
import org.bouncycastle.asn1.cms.CMSAttributes;
import org.bouncycastle.asn1.cms.CMSObjectIdentifiers;
import org.bouncycastle.asn1.cms.ContentInfo;
import org.bouncycastle.asn1.nist.NISTObjectIdentifiers;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x509.Certificate;
import org.bouncycastle.cms.CMSAttributeTableGenerator;
import org.bouncycastle.cms.SignerInfoGenerator;
import org.bouncycastle.cms.jcajce.JcaSignerInfoGeneratorBuilder;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.operator.jcajce.JcaDigestCalculatorProviderBuilder;

import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.Hashtable;

/**
 * Authenticode signing of a PE image (UEFI Secure Boot): the image is padded to 8 bytes, its
 * Authenticode SHA-256 digest goes into an SpcIndirectDataContent, which is signed as PKCS#7
 * SignedData (version 1, signed attributes contentType + messageDigest + SpcSpOpusInfo, no signing
 * time so the same key and image give the same signature bytes) and appended as a WIN_CERTIFICATE.
 */
public final class AuthenticodeSigner {
    private static final ASN1ObjectIdentifier SPC_INDIRECT_DATA = new ASN1ObjectIdentifier("1.3.6.1.4.1.311.2.1.4");
    private static final ASN1ObjectIdentifier SPC_PE_IMAGE_DATA = new ASN1ObjectIdentifier("1.3.6.1.4.1.311.2.1.15");
    private static final ASN1ObjectIdentifier SPC_SP_OPUS_INFO = new ASN1ObjectIdentifier("1.3.6.1.4.1.311.2.1.12");

    private AuthenticodeSigner() {}

    public static byte[] sign(byte[] image, String what, PrivateKey key, X509Certificate cert) {
        PeFile pe = PeFile.read(image, what);
        if (pe.certificateTable()[1] != 0) throw new RecipeException(what + ": already signed; sign the unsigned image");
        byte[] padded = Arrays.copyOf(image, (image.length + 7) & ~7);
        byte[] digest = PeFile.authenticodeDigest(padded, "SHA-256", what);
        try {
            byte[] pkcs7 = signedData(digest, key, cert);
            int len = 8 + pkcs7.length;
            int paddedLen = (len + 7) & ~7;
            ByteBuffer win = ByteBuffer.allocate(paddedLen).order(ByteOrder.LITTLE_ENDIAN);
            win.putInt(paddedLen).putShort((short) 0x0200).putShort((short) 0x0002).put(pkcs7);
            byte[] out = Arrays.copyOf(padded, padded.length + paddedLen);
            System.arraycopy(win.array(), 0, out, padded.length, paddedLen);
            return PeFile.withCertificateTableEntry(out, padded.length, paddedLen, what);
        } catch (RecipeException e) {
            throw e;
        } catch (Exception e) {
            throw new RecipeException(what + ": Authenticode signing failed: " + e.getMessage(), e);
        }
    }

    private static byte[] signedData(byte[] digest, PrivateKey key, X509Certificate cert) throws Exception {
        AlgorithmIdentifier sha256 = new AlgorithmIdentifier(NISTObjectIdentifiers.id_sha256, DERNull.INSTANCE);
        // SpcPeImageData { flags BIT STRING {}, file [0] SpcLink.file [2] SpcString.unicode [0] "<<<Obsolete>>>" }
        DERSequence peImageData = seq(new DERBitString(new byte[0]),
                new DERTaggedObject(true, 0, new DERTaggedObject(true, 2, new DERTaggedObject(false, 0, new DERBMPString("<<<Obsolete>>>")))));
        DERSequence indirect = seq(seq(SPC_PE_IMAGE_DATA, peImageData), seq(sha256, new DEROctetString(digest)));
        byte[] content = indirect.getEncoded(ASN1Encoding.DER);

        ContentSigner signer = new JcaContentSignerBuilder(key.getAlgorithm().equals("EC") ? "SHA256withECDSA" : "SHA256withRSA").build(key);
        CMSAttributeTableGenerator signedAttrs = params -> {
            Hashtable<ASN1ObjectIdentifier, Attribute> t = new Hashtable<>();
            t.put(CMSAttributes.contentType, new Attribute(CMSAttributes.contentType, new DERSet(SPC_INDIRECT_DATA)));
            t.put(CMSAttributes.messageDigest, new Attribute(CMSAttributes.messageDigest,
                    new DERSet(new DEROctetString((byte[]) params.get(CMSAttributeTableGenerator.DIGEST)))));
            t.put(SPC_SP_OPUS_INFO, new Attribute(SPC_SP_OPUS_INFO, new DERSet(new DERSequence())));
            return new AttributeTable(t);
        };
        SignerInfoGenerator gen = new JcaSignerInfoGeneratorBuilder(new JcaDigestCalculatorProviderBuilder().build())
                .setSignedAttributeGenerator(signedAttrs).build(signer, cert);
        // Authenticode digests the SpcIndirectDataContent's value without its outer tag and length.
        try (OutputStream out = gen.getCalculatingOutputStream()) {
            int header = headerLength(content);
            out.write(content, header, content.length - header);
        }
        var signerInfo = gen.generate(SPC_INDIRECT_DATA);
        ASN1EncodableVector sd = new ASN1EncodableVector();
        sd.add(new ASN1Integer(1));
        sd.add(new DERSet(sha256));
        sd.add(new ContentInfo(SPC_INDIRECT_DATA, ASN1Primitive.fromByteArray(content)));
        sd.add(new DERTaggedObject(false, 0, new DERSet(Certificate.getInstance(cert.getEncoded()))));
        sd.add(new DERSet(signerInfo));
        return new ContentInfo(CMSObjectIdentifiers.signedData, new DERSequence(sd)).getEncoded(ASN1Encoding.DER);
    }

    private static DERSequence seq(org.bouncycastle.asn1.ASN1Encodable... items) {
        return new DERSequence(items);
    }

    /** Length of a DER tag + length prefix (single-byte tag). */
    static int headerLength(byte[] der) {
        int l = der[1] & 0xff;
        return l < 0x80 ? 2 : 2 + (l & 0x7f);
    }

}
