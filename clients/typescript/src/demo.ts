// The accounts `pmt serve --seed-demo` (`make run`) creates: the server
// prints them at start and lists them all in $PMT_DATA_DIR/demo-accounts.txt
// (api/src/app/demo holds the data).

/** The password every demo account shares. */
export const DEMO_PASSWORD = "demo-pmt-business-2026";

/** Cardiodijon Medical SAS, a buyer of the cluster. */
export const BUYER = "achats@cardiodijon.example";

/** A back-office expert, who qualifies requests and vets matches. */
export const EXPERT = "expert@pmt-business.example";

/** Two published micro-machining suppliers with a verified ISO 13485
 * certificate: candidates of the flow's request. */
export const SUPPLIERS = [
  "contact@microtech-doubs.example",
  "sales@microtech-arcjurassien.example",
] as const;
