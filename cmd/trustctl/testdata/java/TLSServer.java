// Loads each keystore given as PATH TYPE PASSWORD, serves one TLS
// handshake with it on 127.0.0.1, and says "ok" to the client. Used by
// trustctl's interop tests to prove the JDK accepts what trustctl writes.
import java.io.FileInputStream;
import java.net.InetAddress;
import java.security.KeyStore;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;

public class TLSServer {
    public static void main(String[] args) throws Exception {
        for (int i = 0; i + 2 < args.length; i += 3) {
            char[] pw = args[i + 2].toCharArray();
            KeyStore ks = KeyStore.getInstance(args[i + 1]);
            try (FileInputStream in = new FileInputStream(args[i])) {
                ks.load(in, pw);
            }
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(ks, pw);
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(kmf.getKeyManagers(), null, null);
            try (SSLServerSocket ss = (SSLServerSocket) ctx.getServerSocketFactory()
                    .createServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
                System.out.println(ss.getLocalPort());
                System.out.flush();
                try (SSLSocket s = (SSLSocket) ss.accept()) {
                    s.startHandshake();
                    s.getOutputStream().write("ok\n".getBytes());
                    s.getOutputStream().flush();
                }
            }
        }
    }
}
