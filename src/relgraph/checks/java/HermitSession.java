// relgraph's HermiT session: one JVM answers every HermiT question of a check.
//
// It asks HermiT (org.semanticweb.HermiT.Reasoner, OWL API 3) exactly what HermiT's
// command line asks for `-k` and `-k -U` (org.semanticweb.HermiT.cli.CommandLine):
// isSatisfiable(owl:Thing) with a default Configuration, then, for `kU`,
// getEquivalentClasses(owl:Nothing), each ontology loaded by a fresh OWLOntologyManager
// from its file IRI. Only the start-up is shared: one JVM start and one class loading
// instead of one per question (docs/decisions/0020-hermit-session.md).
//
// Protocol (UTF-8 lines; the fields are separated by one tab):
//   in:  JOB id mode file-IRI        mode: "k" (consistency) or "kU" (and the classes
//                                    equivalent to owl:Nothing)
//   out: ready                       once, when the JVM has started
//        start id                    when a job begins (jobs run one at a time, in order)
//        unsat id IRI                each named class equivalent to owl:Nothing (kU only)
//        done id STATUS millis [msg] STATUS: consistent, inconsistent or error (msg says why)
// The process ends when its input ends, or after IDLE_SECONDS (first argument) without a job.
// Before its first job it warms up: HermiT answers both questions about a one-class
// ontology made in memory, so that the classes a job needs are loaded while the caller
// prepares its first question (nothing of it is kept).

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.semanticweb.HermiT.Configuration;
import org.semanticweb.HermiT.Reasoner;
import org.semanticweb.owlapi.apibinding.OWLManager;
import org.semanticweb.owlapi.model.IRI;
import org.semanticweb.owlapi.model.OWLClass;
import org.semanticweb.owlapi.model.OWLDataFactory;
import org.semanticweb.owlapi.model.OWLOntology;
import org.semanticweb.owlapi.model.OWLOntologyManager;
import org.semanticweb.owlapi.reasoner.InconsistentOntologyException;

public final class HermitSession {
    private static final String END = "\u0000end";
    private static final String THING = "http://www.w3.org/2002/07/owl#Thing";
    private static final String NOTHING = "http://www.w3.org/2002/07/owl#Nothing";

    private HermitSession() {}

    public static void main(String[] args) throws Exception {
        long idleSeconds = args.length > 0 ? Long.parseLong(args[0]) : 60;
        PrintStream out = new PrintStream(System.out, true, "UTF-8");
        LinkedBlockingQueue<String> lines = new LinkedBlockingQueue<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(
                    new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) {
                    lines.put(line);
                }
            } catch (Exception e) {
                // the input ended or broke: end the session
            }
            lines.offer(END);
        });
        reader.setDaemon(true);
        reader.start();
        out.println("ready");
        if (lines.isEmpty()) {
            warmUp();
        }
        while (true) {
            String line = lines.poll(idleSeconds, TimeUnit.SECONDS);
            if (line == null || line.equals(END)) {
                break;
            }
            String[] fields = line.split("\t", 4);
            if (fields.length != 4 || !fields[0].equals("JOB")) {
                continue;
            }
            run(out, fields[1], fields[2], fields[3]);
        }
        out.flush();
    }

    private static void warmUp() {
        try {
            OWLOntologyManager manager = OWLManager.createOWLOntologyManager();
            OWLDataFactory factory = manager.getOWLDataFactory();
            OWLOntology ontology = manager.createOntology(IRI.create("urn:relgraph:warm-up"));
            OWLClass thing = factory.getOWLClass(IRI.create(THING));
            OWLClass a = factory.getOWLClass(IRI.create("urn:relgraph:warm-up#A"));
            manager.addAxiom(ontology, factory.getOWLSubClassOfAxiom(a, thing));
            Reasoner hermit = new Reasoner(new Configuration(), ontology);
            hermit.isSatisfiable(thing);
            hermit.getEquivalentClasses(factory.getOWLClass(IRI.create(NOTHING)));
            hermit.dispose();
        } catch (Throwable e) {
            // a warm-up only: the first job will say what is wrong
        }
    }

    private static void run(PrintStream out, String id, String mode, String iri) {
        out.println("start\t" + id);
        long began = System.nanoTime();
        String status;
        String message = "";
        try {
            OWLOntologyManager manager = OWLManager.createOWLOntologyManager();
            OWLOntology ontology = manager.loadOntology(IRI.create(iri));
            Reasoner hermit = new Reasoner(new Configuration(), ontology);
            OWLClass thing = manager.getOWLDataFactory().getOWLClass(IRI.create(THING));
            if (!hermit.isSatisfiable(thing)) {
                status = "inconsistent";
            } else {
                status = "consistent";
                if (mode.equals("kU")) {
                    OWLClass nothing = manager.getOWLDataFactory().getOWLClass(IRI.create(NOTHING));
                    for (OWLClass c : hermit.getEquivalentClasses(nothing)) {
                        String name = c.getIRI().toString();
                        if (!name.equals(NOTHING)) {
                            out.println("unsat\t" + id + "\t" + name);
                        }
                    }
                }
            }
            hermit.dispose();
        } catch (InconsistentOntologyException e) {
            status = "inconsistent";
        } catch (Throwable e) {
            // the first line HermiT's command line prints for an uncaught exception
            status = "error";
            message = ("Exception in thread \"main\" " + e).replace('\n', ' ').replace('\t', ' ');
            if (message.length() > 300) {
                message = message.substring(0, 300);
            }
        }
        long millis = (System.nanoTime() - began) / 1_000_000L;
        out.println("done\t" + id + "\t" + status + "\t" + millis + "\t" + message);
    }
}
