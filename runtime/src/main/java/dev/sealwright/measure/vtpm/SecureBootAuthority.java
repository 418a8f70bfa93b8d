package dev.sealwright.measure.vtpm;

import dev.sealwright.base.RecipeException;
import dev.sealwright.image.pe.PeFile;
import dev.sealwright.uefi.EfiGuid;
import dev.sealwright.uefi.SignatureList;
import org.bouncycastle.asn1.ASN1InputStream;
import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.asn1.cms.ContentInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cms.CMSException;
import org.bouncycastle.cms.CMSSignedData;
import org.bouncycastle.cms.SignerInformation;

import java.io.ByteArrayInputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.security.GeneralSecurityException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;

/**
 * Which db entry firmware measures as EV_EFI_VARIABLE_AUTHORITY when it verifies a signed image
 * (edk2 DxeImageVerificationLib: the first X.509 entry of db that anchors the image's Authenticode
 * signer chain). The measured data is that entry's EFI_SIGNATURE_DATA: owner GUID ‖ DER certificate.
 */
public final class SecureBootAuthority {
    private static final int WIN_CERT_TYPE_PKCS_SIGNED_DATA = 0x0002;

    private SecureBootAuthority() {}

    /** EFI_SIGNATURE_DATA of the db entry that verifies {@code image}; one line naming the file when none does. */
    public static byte[] signatureData(byte[] image, String imageName, byte[] db, String dbSource) {
        List<X509Certificate> chain = signerChain(image, imageName);
        if (db == null) throw new RecipeException(dbSource + ": has no db variable, so Secure Boot would refuse " + imageName);
        for (SignatureList list : SignatureList.readAll(db, dbSource + " db")) {
            if (!list.type().equals(EfiGuid.CERT_X509)) continue;
            for (SignatureList.Entry e : list.entries()) {
                X509Certificate anchor = certificate(e.data(), dbSource + " db entry");
                if (anchors(anchor, chain)) {
                    ByteBuffer b = ByteBuffer.allocate(16 + e.data().length);
                    b.put(EfiGuid.bytes(e.owner())).put(e.data());
                    return b.array();
                }
            }
        }
        throw new RecipeException(imageName + ": signed by " + chain.get(0).getSubjectX500Principal().getName()
                + ", which no X.509 entry of the db in " + dbSource + " verifies: Secure Boot would refuse it");
    }

    /** Subject of the db certificate inside an EFI_SIGNATURE_DATA (for descriptions). */
    static String subject(byte[] signatureData) {
        return certificate(Arrays.copyOfRange(signatureData, 16, signatureData.length), "db entry").getSubjectX500Principal().getName();
    }

    private static boolean anchors(X509Certificate anchor, List<X509Certificate> chain) {
        for (X509Certificate c : chain) {
            if (c.equals(anchor)) return true;
            if (!c.getIssuerX500Principal().equals(anchor.getSubjectX500Principal())) continue;
            try {
                c.verify(anchor.getPublicKey());
                return true;
            } catch (GeneralSecurityException notThisOne) {
                // issuer name matches but the key does not
            }
        }
        return false;
    }

    /** The signer certificate of the image's first Authenticode signature, then any issuers found in the same bag. */
    static List<X509Certificate> signerChain(byte[] image, String imageName) {
        long[] table = PeFile.read(image, imageName).certificateTable();
        if (table[1] == 0) throw new RecipeException(imageName + ": is not signed (no Authenticode certificate table), so Secure Boot would refuse it");
        if (table[0] + table[1] > image.length || table[1] < 8)
            throw new RecipeException(imageName + ": certificate table at " + table[0] + " (" + table[1] + " bytes) lies outside the file");
        ByteBuffer b = ByteBuffer.wrap(image, (int) table[0], (int) table[1]).order(ByteOrder.LITTLE_ENDIAN);
        int length = b.getInt();
        b.getShort();
        int type = Short.toUnsignedInt(b.getShort());
        if (type != WIN_CERT_TYPE_PKCS_SIGNED_DATA || length < 8 || length > table[1])
            throw new RecipeException(imageName + ": first WIN_CERTIFICATE is not a PKCS#7 signature (type " + type + ", length " + length + ")");
        byte[] pkcs7 = Arrays.copyOfRange(image, (int) table[0] + 8, (int) table[0] + length);
        try {
            // the ContentInfo alone: WIN_CERTIFICATE pads bCertificate to 8 bytes, and Bouncy Castle >= 1.83
            // refuses bytes after the DER structure ("IOException reading content")
            CMSSignedData signed;
            try (ASN1InputStream in = new ASN1InputStream(pkcs7)) {
                ASN1Primitive first = in.readObject();
                if (first == null) throw new CMSException("empty");
                signed = new CMSSignedData(ContentInfo.getInstance(first));
            } catch (java.io.IOException | IllegalArgumentException e) {
                throw new CMSException(e.getMessage() == null ? e.toString() : e.getMessage());
            }
            Collection<SignerInformation> signers = signed.getSignerInfos().getSigners();
            if (signers.isEmpty()) throw new RecipeException(imageName + ": Authenticode signature has no signer");
            SignerInformation signer = signers.iterator().next();
            JcaX509CertificateConverter conv = new JcaX509CertificateConverter();
            List<X509Certificate> bag = new ArrayList<>();
            for (X509CertificateHolder h : signed.getCertificates().getMatches(null)) bag.add(conv.getCertificate(h));
            @SuppressWarnings("unchecked")
            Collection<X509CertificateHolder> mine = signed.getCertificates().getMatches(signer.getSID());
            if (mine.isEmpty()) throw new RecipeException(imageName + ": Authenticode signature does not carry its signer certificate");
            List<X509Certificate> chain = new ArrayList<>();
            chain.add(conv.getCertificate(mine.iterator().next()));
            for (int guard = 0; guard < bag.size(); guard++) {
                X509Certificate last = chain.get(chain.size() - 1);
                if (last.getIssuerX500Principal().equals(last.getSubjectX500Principal())) break;
                X509Certificate issuer = bag.stream().filter(c -> c.getSubjectX500Principal().equals(last.getIssuerX500Principal())).findFirst().orElse(null);
                if (issuer == null || chain.contains(issuer)) break;
                chain.add(issuer);
            }
            return chain;
        } catch (CMSException | GeneralSecurityException e) {
            throw new RecipeException(imageName + ": Authenticode signature is not valid PKCS#7: " + e.getMessage());
        }
    }

    private static X509Certificate certificate(byte[] der, String what) {
        try {
            return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(new ByteArrayInputStream(der));
        } catch (GeneralSecurityException e) {
            throw new RecipeException(what + ": not a DER X.509 certificate: " + e.getMessage());
        }
    }
}
