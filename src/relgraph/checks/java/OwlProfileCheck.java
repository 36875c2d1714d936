// OWL 2 DL profile check of ontology documents with the OWL API (Debian: libowlapi-java).
//
// Usage: java -cp <owlapi jars> OwlProfileCheck FILE...   (compile with javac first, or run
// this source file directly with java 11+). For each file prints the OWL 2 DL profile
// violations, the RDF triples the OWL API could not map to OWL (lost in Protégé), the
// declarations it had to guess, then one summary line:
//   summary<TAB>FILE<TAB>violations=N<TAB>unparsed=N<TAB>guessed=N<TAB>axioms=N
// Exit code 0 when every file loads, 1 otherwise. Run by relgraph.owlprofile (the tests of
// the OWL export, `make owl-profile`); see the README, "Exports".
import java.io.File;
import org.semanticweb.owlapi.apibinding.OWLManager;
import org.semanticweb.owlapi.model.OWLDocumentFormat;
import org.semanticweb.owlapi.model.OWLOntology;
import org.semanticweb.owlapi.model.OWLOntologyManager;
import org.semanticweb.owlapi.profiles.OWL2DLProfile;
import org.semanticweb.owlapi.profiles.OWLProfileReport;
import org.semanticweb.owlapi.profiles.OWLProfileViolation;

public class OwlProfileCheck {
    public static void main(String[] args) {
        int status = 0;
        for (String name : args) {
            try {
                check(name);
            } catch (Exception e) {
                System.out.println("error\t" + name + "\t" + e);
                status = 1;
            }
        }
        System.exit(status);
    }

    static void check(String name) throws Exception {
        OWLOntologyManager manager = OWLManager.createOWLOntologyManager();
        OWLOntology ontology = manager.loadOntologyFromOntologyDocument(new File(name));
        OWLProfileReport report = new OWL2DLProfile().checkOntology(ontology);
        for (OWLProfileViolation v : report.getViolations()) {
            System.out.println("violation\t" + v.getClass().getSimpleName() + "\t" + v);
        }
        long[] unparsed = {0};
        long[] guessed = {0};
        OWLDocumentFormat format = manager.getOntologyFormat(ontology);
        if (format != null) {
            format.getOntologyLoaderMetaData().ifPresent(meta -> {
                meta.getUnparsedTriples().forEach(t -> System.out.println("unparsed\t" + t));
                unparsed[0] = meta.getUnparsedTriples().count();
                meta.getGuessedDeclarations().asMap().forEach((iri, kinds) ->
                    System.out.println("guessed\t" + iri + "\t" + kinds));
                guessed[0] = meta.getGuessedDeclarations().size();
            });
        }
        System.out.println("summary\t" + name + "\tviolations=" + report.getViolations().size()
            + "\tunparsed=" + unparsed[0] + "\tguessed=" + guessed[0]
            + "\taxioms=" + ontology.getAxiomCount());
    }
}
