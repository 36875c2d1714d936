# SPARQL 1.1 Update: rewrite relgraph IRIs renamed by issue 9 (2026-12-01) in your own data,
# e.g. mappings (SSSOM as RDF) or annotations that point at relgraph individuals. Run it on
# a store holding your data, not on relgraph's built graph. Removed IRIs are listed in
# 2026-12-01-issue-9-iris.tsv; they have no replacement.
PREFIX rgr: <https://w3id.org/relgraph/resource/>
DELETE { ?s ?p ?old } INSERT { ?s ?p ?new }
WHERE {
  VALUES (?old ?new) {
    (rgr:finding-relationship-quality-of-life rgr:statement-relationship-quality-of-life)
    (rgr:finding-therapist-variables-patient-change rgr:statement-therapist-variables-patient-change)
    (rgr:finding-patient-variables-paternalistic-preference rgr:statement-patient-variables-paternalistic-preference)
    (rgr:finding-patient-psychological-factors-collaborative-preference rgr:statement-patient-psychological-factors-collaborative-preference)
    (rgr:passage-finding-relationship-quality-of-life rgr:passage-statement-relationship-quality-of-life)
    (rgr:passage-finding-patient-variables-paternalistic-preference rgr:passage-statement-patient-variables-paternalistic-preference)
    (rgr:passage-finding-patient-psychological-factors-collaborative-preference rgr:passage-statement-patient-psychological-factors-collaborative-preference)
  }
  ?s ?p ?old .
} ;
DELETE { ?old ?p ?o } INSERT { ?new ?p ?o }
WHERE {
  VALUES (?old ?new) {
    (rgr:finding-relationship-quality-of-life rgr:statement-relationship-quality-of-life)
    (rgr:finding-therapist-variables-patient-change rgr:statement-therapist-variables-patient-change)
    (rgr:finding-patient-variables-paternalistic-preference rgr:statement-patient-variables-paternalistic-preference)
    (rgr:finding-patient-psychological-factors-collaborative-preference rgr:statement-patient-psychological-factors-collaborative-preference)
    (rgr:passage-finding-relationship-quality-of-life rgr:passage-statement-relationship-quality-of-life)
    (rgr:passage-finding-patient-variables-paternalistic-preference rgr:passage-statement-patient-variables-paternalistic-preference)
    (rgr:passage-finding-patient-psychological-factors-collaborative-preference rgr:passage-statement-patient-psychological-factors-collaborative-preference)
  }
  ?old ?p ?o .
}
