// OCSPCheck validates a certificate against a trusted root with the JDK's
// own PKIX validator and OCSP revocation checking, as a Java gateway would,
// asking the responder named in the certificate. It prints "good",
// "revoked REASON" or "error: ..." (and exits 2).
//
// Usage: java OCSPCheck.java LEAF.pem ROOT.pem
import java.io.FileInputStream;
import java.security.cert.CertPath;
import java.security.cert.CertPathValidator;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateFactory;
import java.security.cert.CertificateRevokedException;
import java.security.cert.PKIXParameters;
import java.security.cert.PKIXRevocationChecker;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

public class OCSPCheck {
    public static void main(String[] args) throws Exception {
        CertificateFactory cf = CertificateFactory.getInstance("X.509");
        X509Certificate leaf, root;
        try (FileInputStream in = new FileInputStream(args[0])) {
            leaf = (X509Certificate) cf.generateCertificate(in);
        }
        try (FileInputStream in = new FileInputStream(args[1])) {
            root = (X509Certificate) cf.generateCertificate(in);
        }
        CertPath path = cf.generateCertPath(List.of(leaf));
        CertPathValidator validator = CertPathValidator.getInstance("PKIX");
        PKIXRevocationChecker checker = (PKIXRevocationChecker) validator.getRevocationChecker();
        // OCSP only: no CRL fallback, so a responder failure is an error.
        checker.setOptions(EnumSet.of(PKIXRevocationChecker.Option.NO_FALLBACK));
        PKIXParameters params = new PKIXParameters(Set.of(new TrustAnchor(root, null)));
        params.addCertPathChecker(checker);
        try {
            validator.validate(path, params);
            System.out.println("good");
        } catch (CertPathValidatorException e) {
            if (e.getReason() == CertPathValidatorException.BasicReason.REVOKED && e.getCause() instanceof CertificateRevokedException) {
                System.out.println("revoked " + ((CertificateRevokedException) e.getCause()).getRevocationReason());
                return;
            }
            System.out.println("error: " + e);
            System.exit(2);
        }
    }
}
