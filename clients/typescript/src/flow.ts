// The sourcing flow end to end over HTTP, as a frontend drives it: a buyer
// drafts and submits a request; an expert qualifies it, approves two
// suppliers the capability index proposes and opens it; a supplier asks a
// question, the buyer answers; both suppliers quote; the buyer compares the
// quotes and awards the cheaper one; buyer and winner read their connection.
// Which step a page offers comes from the views' `allowed_actions` (close
// while open, award once closed; quote, decline or ask when invited).
//
// Runs against a server started with `pmt serve --seed-demo` (its demo
// accounts, nothing else to set up), at PMT_BASE_URL or the first argument
// (default http://127.0.0.1:8080, `make run`). Exits 1 at the first answer it
// did not expect, naming the step.

import { randomUUID } from "node:crypto";

import { BUYER, EXPERT, SUPPLIERS, DEMO_PASSWORD } from "./demo.js";
import {
  type Api,
  allPages,
  connect,
  expectEqual,
  expectProblem,
  expectStatus,
  present,
  Unexpected,
} from "./http.js";
import type { components } from "./schema.js";

type Schemas = components["schemas"];
type RequestView = Schemas["RequestView"];

const baseUrl = process.env["PMT_BASE_URL"] ?? process.argv[2] ?? "http://127.0.0.1:8080";

/** A logged-in demo user and who they are. */
interface Session {
  email: string;
  api: Api;
  me: Schemas["MeResponse"];
}

async function logIn(email: string): Promise<Session> {
  const anonymous = connect(baseUrl);
  const tokens = await expectStatus(
    `log in as ${email}`,
    200,
    anonymous.POST("/api/v1/auth/login", { body: { email, password: DEMO_PASSWORD } }),
  );
  const api = connect(baseUrl, tokens.access_token);
  const me = await expectStatus(`${email} reads /me`, 200, api.GET("/api/v1/me"));
  return { email, api, me };
}

function organisationOf(session: Session): string {
  return present(`${session.email}'s organisation`, session.me.organisation).id;
}

/** A calendar date `days` from today, as the API takes dates (UTC). */
function day(days: number): string {
  return new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);
}

function step(message: string): void {
  console.log(`  ok  ${message}`);
}

const need: Schemas["RequestInput"] = {
  title: "Micro-usinage de vis implantables en titane",
  description:
    "Vis d'ostéosynthèse en titane grade 5, diamètre 1,5 mm, état de surface Ra < 0,4 µm.",
  capabilities: ["machining.micro_machining"],
  certifications: [{ code: "iso_13485", mandatory: true }],
  sectors: ["medtech"],
  quantities: "5 000 pièces par an, lots de 500",
  budget: { min: "10000", max: "25000", currency: "EUR" },
  desired_delivery: day(120),
  response_deadline: new Date(Date.now() + 14 * 86_400_000).toISOString(),
  region: "Bourgogne-Franche-Comté",
  language: "fr",
  confidential: true,
};

async function main(): Promise<void> {
  console.log(`client flow against ${baseUrl}`);
  const buyer = await logIn(BUYER);
  const expert = await logIn(EXPERT);
  const suppliers = await Promise.all(SUPPLIERS.map(logIn));
  const [first, second] = suppliers;
  if (first === undefined || second === undefined) {
    throw new Unexpected("two demo suppliers are needed");
  }
  const buyerOrg = organisationOf(buyer);
  step(`buyer, expert and ${suppliers.length} suppliers logged in`);

  // The buyer drafts (a retry with the same Idempotency-Key would answer the
  // same request instead of a second one) and submits.
  const draft = await expectStatus(
    "buyer drafts a request",
    201,
    buyer.api.POST("/api/v1/requests", {
      params: { header: { "Idempotency-Key": randomUUID() } },
      body: need,
    }),
  );
  expectEqual("status of the draft", draft.status, "draft");
  const id = draft.id;
  const path = { id };
  // A transition takes no body when there is nothing to say.
  const submitted = await expectStatus(
    "buyer submits",
    200,
    buyer.api.POST("/api/v1/requests/{id}/submit", { params: { path } }),
  );
  expectEqual("status after submit", submitted.status, "submitted");
  step(`buyer drafted and submitted request ${id}`);

  // The expert qualifies it and vets the suppliers the index proposes.
  const qualified = await expectStatus(
    "expert qualifies",
    200,
    expert.api.POST("/api/v1/requests/{id}/qualify", {
      params: { path },
      body: { comment: "Besoin clair, ISO 13485 obligatoire" },
    }),
  );
  expectEqual("status after qualify", qualified.status, "qualified");
  const candidates = await expectStatus(
    "expert reads the candidates",
    200,
    expert.api.GET("/api/v1/requests/{id}/candidates", { params: { path } }),
  );
  for (const supplier of suppliers) {
    const org = organisationOf(supplier);
    const candidate = present(
      `${supplier.email} among the candidates`,
      candidates.candidates.find((c) => c.supplier_id === org),
    );
    const match = await expectStatus(
      `expert proposes ${candidate.name}`,
      201,
      expert.api.POST("/api/v1/requests/{id}/matches", {
        params: { path },
        body: { supplier_id: org },
      }),
    );
    expectEqual(`origin of ${candidate.name}'s match`, match.origin, "index");
    const approved = await expectStatus(
      `expert approves ${candidate.name}`,
      200,
      expert.api.POST("/api/v1/requests/{id}/matches/{match_id}/approve", {
        params: { path: { id, match_id: match.id } },
        body: { note_for_buyer: `${candidate.name}: atelier audité` },
      }),
    );
    expectEqual(`status of ${candidate.name}'s match`, approved.status, "approved");
  }
  const opened = await expectStatus(
    "expert opens",
    200,
    expert.api.POST("/api/v1/requests/{id}/open", { params: { path } }),
  );
  expectEqual("status after open", opened.status, "open");
  step(`expert qualified it, approved ${suppliers.length} matches from the index and opened it`);

  // The buyer finds it among its open requests about screws, nearest
  // deadline first, a few at a time (every list pages the same way).
  const open = await allPages("buyer lists its open requests", (after) =>
    buyer.api.GET("/api/v1/requests", {
      params: {
        query: { status: ["open"], q: "vis implantables", sort: "deadline", limit: 5, ...after },
      },
    }),
  );
  present("the opened request in the buyer's list", open.find((r) => r.id === id));
  for (const listed of open) {
    expectEqual("status of a listed request", listed.status, "open");
  }
  step(`buyer found it among ${open.length} open requests matching "vis implantables"`);

  // Invited suppliers see it without the confidential buyer's name.
  for (const supplier of suppliers) {
    const seen = await readRequest(supplier, id);
    expectEqual(`${supplier.email}'s invitation`, seen.my_invitation?.status, "invited");
    // The buttons a supplier page shows come from the server's rules.
    expectEqual(
      `${supplier.email}'s allowed actions`,
      seen.my_invitation?.allowed_actions.join(","),
      "quote,decline,ask",
    );
    expectEqual(`buyer shown to ${supplier.email}`, seen.buyer ?? null, null);
  }

  // A supplier asks; the buyer's answer reaches every invited supplier.
  const question = await expectStatus(
    "supplier asks a question",
    201,
    first.api.POST("/api/v1/requests/{id}/questions", {
      params: { path },
      body: { question: "La passivation est-elle incluse ?" },
    }),
  );
  const answer = "Oui, passivation selon ASTM F86.";
  const answered = await expectStatus(
    "buyer answers",
    200,
    buyer.api.POST("/api/v1/requests/{id}/questions/{question_id}/answer", {
      params: { path: { id, question_id: question.id } },
      body: { answer },
    }),
  );
  expectEqual("answer", answered.answer, answer);
  const questions = await allPages("the other supplier reads the questions", (after) =>
    second.api.GET("/api/v1/requests/{id}/questions", { params: { path, query: after } }),
  );
  const shared = present("the answered question", questions.find((q) => q.id === question.id));
  expectEqual("answer the other supplier reads", shared.answer, answer);
  expectEqual("question asked by the other supplier", shared.mine, false);
  step("a supplier asked, the buyer answered, every invited supplier reads the answer");

  // Both quote.
  const offers: Array<[Session, Schemas["QuoteInput"]]> = [
    [first, { amount: "18400.00", currency: "EUR", lead_time_days: 40, valid_until: day(60) }],
    [second, { amount: "21000.00", currency: "EUR", lead_time_days: 30, valid_until: day(60) }],
  ];
  for (const [supplier, quote] of offers) {
    const mine = await expectStatus(
      `${supplier.email} quotes`,
      201,
      supplier.api.POST("/api/v1/requests/{id}/quotes", {
        params: { path, header: { "Idempotency-Key": randomUUID() } },
        body: { ...quote, message: "Offre ferme" },
      }),
    );
    expectEqual(`${supplier.email}'s answer`, mine.status, "answered");
    expectEqual(`${supplier.email}'s quoted amount`, mine.quotes.at(-1)?.amount, quote.amount);
  }
  step("both suppliers quoted");

  // The buyer compares the latest quotes, closes and awards the cheaper.
  const answers = await allPages("buyer compares the answers", (after) =>
    buyer.api.GET("/api/v1/requests/{id}/answers", { params: { path, query: after } }),
  );
  expectEqual("answers", answers.length, suppliers.length);
  // Amounts are decimal strings (exact); a number is precise enough to rank them.
  const quoted = answers.flatMap((row) => (row.quote ? [{ row, quote: row.quote }] : []));
  quoted.sort((a, b) => Number(a.quote.amount) - Number(b.quote.amount));
  const cheapest = present("a quote", quoted[0]);
  const winnerOrg = organisationOf(first);
  expectEqual("cheapest supplier", cheapest.row.supplier_id, winnerOrg);
  expectEqual("cheapest amount", cheapest.quote.amount, "18400.00");
  // An open request is not awarded: the problem's `code` says why, typed
  // with every code the spec lists.
  await expectProblem(
    "buyer awards the open request",
    409,
    "request_open",
    buyer.api.POST("/api/v1/requests/{id}/award", {
      params: { path },
      body: { supplier_ids: [cheapest.row.supplier_id] },
    }),
  );
  // A page shows the buttons `allowed_actions` lists: while the request is
  // open, the buyer may close it (or cancel, or reveal itself), not award.
  const current = await readRequest(buyer, id);
  expectEqual("buyer may award while open", current.allowed_actions.includes("award"), false);
  if (!current.allowed_actions.includes("close")) {
    throw new Unexpected(`buyer may not close the open request: ${current.allowed_actions.join(",")}`);
  }
  const closed = await expectStatus(
    "buyer closes",
    200,
    buyer.api.POST("/api/v1/requests/{id}/close", { params: { path } }),
  );
  expectEqual("status after close", closed.status, "closed");
  expectEqual("buyer may award once closed", closed.allowed_actions.includes("award"), true);
  const awarded = await expectStatus(
    "buyer awards",
    200,
    buyer.api.POST("/api/v1/requests/{id}/award", {
      params: { path },
      body: { supplier_ids: [cheapest.row.supplier_id] },
    }),
  );
  expectEqual("status after award", awarded.status, "awarded");
  step(
    `buyer compared ${quoted.length} quotes, was refused the award while open (409 request_open), closed and awarded ${cheapest.row.supplier_name}`,
  );

  // The award reveals the buyer to the winner and tells the other.
  const winnerView = await readRequest(first, id);
  expectEqual("outcome for the winner", winnerView.my_invitation?.outcome, "awarded");
  expectEqual("buyer identity revealed to the winner", winnerView.identity_revealed, true);
  expectEqual("buyer shown to the winner", winnerView.buyer?.organisation_id, buyerOrg);
  const loserView = await readRequest(second, id);
  expectEqual("outcome for the other supplier", loserView.my_invitation?.outcome, "not_selected");

  // Buyer and winner read each other's contacts; the other supplier none.
  const buyerSide = await connections(buyer, id);
  expectEqual("buyer's connections", buyerSide.map((c) => c.organisation_id).join(), winnerOrg);
  const winnerSide = await connections(first, id);
  expectEqual("winner's connections", winnerSide.map((c) => c.organisation_id).join(), buyerOrg);
  const contacts = present("the winner's contacts", buyerSide[0]).contacts;
  if (contacts.length === 0) {
    throw new Unexpected("the buyer's connection lists no contact of the winner");
  }
  expectEqual("the other supplier's connections", (await connections(second, id)).length, 0);
  step("buyer and winner read their connection; the other supplier was told it was not selected");
  console.log("client flow: passed");
}

async function readRequest(session: Session, id: string): Promise<RequestView> {
  return expectStatus(
    `${session.email} reads request ${id}`,
    200,
    session.api.GET("/api/v1/requests/{id}", { params: { path: { id } } }),
  );
}

async function connections(
  session: Session,
  id: string,
): Promise<Schemas["ConnectionView"][]> {
  return allPages(`${session.email} reads the connections`, (after) =>
    session.api.GET("/api/v1/requests/{id}/connections", {
      params: { path: { id }, query: after },
    }),
  );
}

/** What went wrong, with the cause a failed `fetch` hides (connection refused…). */
function describe(error: unknown): string {
  if (!(error instanceof Error)) {
    return String(error);
  }
  return error.cause === undefined ? error.message : `${error.message}: ${describe(error.cause)}`;
}

main().catch((error: unknown) => {
  console.error(`client flow: FAILED: ${describe(error)}`);
  process.exit(1);
});
