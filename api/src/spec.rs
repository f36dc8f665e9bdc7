//! What every operation of the served document says the same way, written
//! once here rather than on each handler: who may call it without a token,
//! the headers every answer carries, a description for each answer.

use utoipa::openapi::path::Operation;

use crate::email::links::FrontendRoute;
use crate::error::ErrorCode;
use utoipa::openapi::schema::{Object, Type};
use utoipa::openapi::server::ServerBuilder;
use utoipa::openapi::{HeaderBuilder, OpenApi, RefOr, Schema};

/// Finishes the document collected from the handlers.
pub fn finish(api: &mut OpenApi) {
    document_codes(api);
    document_event_types(api);
    document_webhooks(api);
    document_frontend_routes(api);
    // Relative: the document is served by the API it describes, so a client
    // resolves paths against wherever it fetched it from.
    api.servers = Some(vec![
        ServerBuilder::new()
            .url("/")
            .description(Some(
                "The server that serves this document (`make run`: http://127.0.0.1:8080)",
            ))
            .build(),
    ]);
    let schemas = api
        .components
        .as_ref()
        .map(|c| c.schemas.clone())
        .unwrap_or_default();
    for item in api.paths.paths.values_mut() {
        for operation in [
            &mut item.get,
            &mut item.post,
            &mut item.put,
            &mut item.patch,
            &mut item.delete,
        ]
        .into_iter()
        .flatten()
        {
            // A handler without `security(...)` takes no token: say so
            // explicitly, as an empty list, rather than inheriting nothing.
            operation.security.get_or_insert_with(Vec::new);
            describe_responses(operation, &schemas);
            add_headers(operation);
        }
    }
}

/// `request.opened` → `RequestOpenedEvent`: the schema name of a type.
fn event_schema_name(event_type: domain::events::EventType) -> String {
    let mut name = String::new();
    for word in event_type.as_str().split(['.', '_']) {
        let mut chars = word.chars();
        if let Some(first) = chars.next() {
            name.extend(first.to_uppercase());
            name.push_str(chars.as_str());
        }
    }
    name + "Event"
}

/// One schema per event type, so that a generated client gets a type per
/// event: `EventView` (the feed's items, the webhook body) becomes a
/// `oneOf` of them, discriminated by `type`. Each is the feed item with
/// its `type` fixed and its `data` narrowed to the fields that type
/// carries (`EventType::data_fields`), required when always there.
fn document_event_types(api: &mut OpenApi) {
    use domain::events::EventType;
    use utoipa::openapi::Ref;
    use utoipa::openapi::schema::{Discriminator, ObjectBuilder, OneOfBuilder, SchemaType};

    let Some(components) = api.components.as_mut() else {
        return;
    };
    let (Some(RefOr::T(Schema::Object(view))), Some(RefOr::T(Schema::Object(data)))) = (
        components.schemas.get("EventView").cloned(),
        components.schemas.get("EventData").cloned(),
    ) else {
        return;
    };
    let mut one_of = OneOfBuilder::new().description(view.description.clone());
    let mut discriminator = Discriminator::new("type");
    for event_type in EventType::ALL {
        let name = event_schema_name(*event_type);
        let mut narrowed = ObjectBuilder::new()
            .schema_type(Type::Object)
            .description(Some(
                "The ids and states this type of event carries; read the object for the rest",
            ));
        for (field, always) in event_type.data_fields() {
            let Some(RefOr::T(Schema::Object(mut property))) =
                data.properties.get(field.as_str()).cloned()
            else {
                continue;
            };
            if *always {
                // Always there: not nullable.
                if let SchemaType::Array(types) = &property.schema_type {
                    let types: Vec<Type> = types
                        .iter()
                        .filter(|t| **t != Type::Null)
                        .cloned()
                        .collect();
                    if let [only] = types.as_slice() {
                        property.schema_type = SchemaType::Type(only.clone());
                    }
                }
                narrowed = narrowed.required(field.as_str());
            }
            narrowed = narrowed.property(field.as_str(), Schema::Object(property));
        }
        let mut schema = view.clone();
        schema.title = Some(event_type.as_str().to_owned());
        schema.description = Some(format!("An event of type `{}`.", event_type.as_str()));
        schema.properties.insert(
            "type".to_owned(),
            RefOr::T(Schema::Object(
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .enum_values(Some([event_type.as_str()]))
                    .build(),
            )),
        );
        schema.properties.insert(
            "data".to_owned(),
            RefOr::T(Schema::Object(narrowed.build())),
        );
        components
            .schemas
            .insert(name.clone(), RefOr::T(Schema::Object(schema)));
        one_of = one_of.item(Ref::from_schema_name(&name));
        discriminator.mapping.insert(
            event_type.as_str().to_owned(),
            format!("#/components/schemas/{name}"),
        );
    }
    components.schemas.insert(
        "EventView".to_owned(),
        RefOr::T(Schema::OneOf(
            one_of.discriminator(Some(discriminator)).build(),
        )),
    );
    // Each type's `data` replaces the union of all the fields.
    components.schemas.remove("EventData");
}

/// What the server POSTs to a registered endpoint (OpenAPI 3.1
/// `webhooks`): the feed's event JSON, signed as Standard Webhooks lays
/// out. The event types are listed from the domain's own list.
fn document_webhooks(api: &mut OpenApi) {
    use utoipa::openapi::path::{
        HttpMethod, OperationBuilder, ParameterBuilder, ParameterIn, PathItem, Paths,
    };
    use utoipa::openapi::request_body::RequestBodyBuilder;
    use utoipa::openapi::{ContentBuilder, ObjectBuilder, Ref, Required, ResponseBuilder};

    let header = |name: &str, description: &str| {
        ParameterBuilder::new()
            .name(name)
            .parameter_in(ParameterIn::Header)
            .required(Required::True)
            .description(Some(description))
            .schema(Some(ObjectBuilder::new().schema_type(Type::String)))
            .build()
    };
    let types: Vec<String> = domain::events::EventType::ALL
        .iter()
        .map(|t| format!("`{}`", t.as_str()))
        .collect();
    let description = format!(
        "Each event the endpoint's owner may read (the rules of `GET /api/v1/events`), of the \
         types it subscribed to, is POSTed as the feed's JSON, at least once: deduplicate on \
         `webhook-id` (the event's `id`). One object's events arrive in order. Answer 2xx within \
         10 seconds; anything else (or no answer) is retried after 5 s, 30 s, 2 min, 10 min, 30 \
         min, 1 h, 3 h, then every 6 h; an endpoint failing for 3 days without a success is \
         disabled and its creator emailed. Redirects are not followed.\n\nVerify \
         `webhook-signature` before trusting the body: it is `v1,` and the base64 HMAC-SHA256, \
         keyed with the base64-decoded part of the secret after `whsec_`, of \
         `{{webhook-id}}.{{webhook-timestamp}}.{{raw body}}` (any Standard Webhooks library does \
         it); refuse a timestamp more than 5 minutes away from your clock.\n\nEvent types: {}.",
        types.join(", ")
    );
    let operation = OperationBuilder::new()
        .operation_id(Some("receiveEvent"))
        .tag("webhooks")
        .summary(Some("An event delivered to a registered endpoint"))
        .description(Some(description))
        // Authenticated by its signature, not by a token of ours.
        .securities(Some(
            Vec::<utoipa::openapi::security::SecurityRequirement>::new(),
        ))
        .parameter(header(
            "webhook-id",
            "The event's id: the same on every retry and replay",
        ))
        .parameter(header(
            "webhook-timestamp",
            "When this attempt was signed, in unix seconds",
        ))
        .parameter(header(
            "webhook-signature",
            "`v1,` and the base64 HMAC-SHA256 of `id.timestamp.body` (Standard Webhooks)",
        ))
        .request_body(Some(
            RequestBodyBuilder::new()
                .required(Some(Required::True))
                .content(
                    "application/json",
                    ContentBuilder::new()
                        .schema(Some(Ref::from_schema_name("EventView")))
                        .build(),
                )
                .build(),
        ))
        .response(
            "200",
            ResponseBuilder::new()
                .description("Any 2xx: received; anything else is retried")
                .build(),
        )
        .build();
    let mut webhooks = Paths::new();
    webhooks.paths.insert(
        "event".to_owned(),
        PathItem::new(HttpMethod::Post, operation),
    );
    api.webhooks = Some(webhooks);
}

/// The pages emails link to are served by a frontend, not by this API:
/// their paths are part of the contract, listed from `FrontendRoute`.
fn document_frontend_routes(api: &mut OpenApi) {
    let mut text = String::from(
        "\n\n## Frontend pages linked from emails\n\n\
Emails link to `FRONTEND_BASE_URL` (by default the API's own address) followed by one of these \
paths; a frontend serves them and calls the API from there:\n",
    );
    for route in FrontendRoute::ALL {
        text.push_str(&format!(
            "\n- `{}`: {}",
            route.template(),
            route.linked_from()
        ));
    }
    let description = api.info.description.get_or_insert_with(String::new);
    description.push_str(&text);
}

/// A success answer without its own description takes its body schema's
/// (the view's doc comment), so it cannot drift from the type.
fn describe_responses(
    operation: &mut Operation,
    schemas: &std::collections::BTreeMap<String, RefOr<Schema>>,
) {
    for (status, response) in operation.responses.responses.iter_mut() {
        let RefOr::T(response) = response else {
            continue;
        };
        if !response.description.trim().is_empty() {
            continue;
        }
        let body = response.content.values().find_map(|content| match content {
            RefOr::T(utoipa::openapi::Content {
                schema: Some(schema),
                ..
            }) => Some(schema_name(schema)),
            _ => None,
        });
        let documented = body.as_ref().and_then(|(name, _)| match schemas.get(name) {
            Some(RefOr::T(Schema::Object(Object {
                description: Some(description),
                ..
            }))) => Some(first_paragraph(description)),
            _ => None,
        });
        let outcome = match status.as_str() {
            "200" => "Done",
            "201" => "Created",
            "202" => "Accepted for processing",
            "204" => "Done; no body",
            "503" => "Not ready",
            _ => "Answered",
        };
        response.description = match (body, documented) {
            (Some((_, true)), Some(documented)) => {
                format!("{outcome}: a list, each item: {documented}")
            }
            (_, Some(documented)) => format!("{outcome}: {documented}"),
            (Some((name, true)), None) => format!("{outcome}: a list of `{name}`"),
            (Some((name, false)), None) => format!("{outcome}: the `{name}`"),
            (None, None) => outcome.to_owned(),
        };
    }
}

/// The component a body refers to, and whether the body is a list of it.
fn schema_name(schema: &RefOr<Schema>) -> (String, bool) {
    let name = |reference: &utoipa::openapi::Ref| {
        reference
            .ref_location
            .rsplit('/')
            .next()
            .unwrap_or_default()
            .to_owned()
    };
    match schema {
        RefOr::Ref(reference) => (name(reference), false),
        RefOr::T(Schema::Array(array)) => match &array.items {
            utoipa::openapi::schema::ArrayItems::RefOrSchema(item) => match item.as_ref() {
                RefOr::Ref(reference) => (name(reference), true),
                RefOr::T(_) => ("item".to_owned(), true),
            },
            utoipa::openapi::schema::ArrayItems::False => ("item".to_owned(), true),
        },
        RefOr::T(_) => ("body".to_owned(), false),
    }
}

fn first_paragraph(text: &str) -> String {
    let paragraph = text.split("\n\n").next().unwrap_or(text);
    paragraph.replace('\n', " ").trim().to_owned()
}

fn add_headers(operation: &mut Operation) {
    for (status, response) in operation.responses.responses.iter_mut() {
        let RefOr::T(response) = response else {
            continue;
        };
        // Set by the request-id middleware on every answer, errors included.
        response.headers.entry("X-Request-Id".to_owned()).or_insert_with(|| {
            HeaderBuilder::new()
                .schema(Some(string()))
                .description(Some(
                    "Identifier of this request in the server's logs; quote it when reporting a problem",
                ))
                .build()
                .into()
        });
        if status == "429" {
            response
                .headers
                .entry("Retry-After".to_owned())
                .or_insert_with(|| {
                    HeaderBuilder::new()
                        .schema(Some(Object::with_type(Type::Integer)))
                        .description(Some("Seconds to wait before trying again"))
                        .build()
                        .into()
                });
        }
    }
}

fn string() -> Object {
    Object::with_type(Type::String)
}

/// Publishes every problem code with its status: an `enum` on
/// `Problem.code` and `FieldErrorBody.code` (so generated clients get a
/// union type) and the tables of the description (to translate them). The
/// codes come from the error table (`ErrorCode`) and the domain's lists
/// (`domain::codes`), never written here.
fn document_codes(api: &mut OpenApi) {
    let conflicts = domain::codes::conflict_codes();
    let mut problem_codes: Vec<String> = ErrorCode::ALL.iter().map(|c| c.name()).collect();
    problem_codes.extend(conflicts.iter().cloned());
    problem_codes.sort();
    problem_codes.dedup();
    let general: Vec<String> = ErrorCode::ALL
        .iter()
        .map(|code| {
            format!(
                "| `{}` | {} | {} |",
                code.name(),
                code.status().as_u16(),
                code.title()
            )
        })
        .collect();
    let conflict_rows: Vec<String> = conflicts
        .iter()
        .map(|code| format!("| `{code}` | 409 |"))
        .collect();
    let field_codes: Vec<String> = domain::codes::FIELD_CODES
        .iter()
        .map(|code| format!("`{code}`"))
        .collect();
    api.info.description = Some(format!(
        "{}\n\n## Error codes\n\n| code | status | meaning |\n|---|---|---|\n{}\n\n\
         A 409 names the rule or the state that refused the request: `<object>_<state>` \
         (e.g. `request_open`: the request is open, so it cannot be edited) or one of these.\n\n\
         | code | status |\n|---|---|\n{}\n\n\
         A `validation_failed` (422) lists each failing field in `errors[]` with one of these \
         codes: {}.",
        api.info.description.take().unwrap_or_default(),
        general.join("\n"),
        conflict_rows.join("\n"),
        field_codes.join(", ")
    ));
    let Some(components) = api.components.as_mut() else {
        return;
    };
    let enumerate = |schema: Option<&mut RefOr<Schema>>, codes: Vec<String>| {
        let Some(RefOr::T(Schema::Object(object))) = schema else {
            return;
        };
        if let Some(RefOr::T(Schema::Object(code))) = object.properties.get_mut("code") {
            code.enum_values = Some(codes.into_iter().map(serde_json::Value::from).collect());
        }
    };
    enumerate(components.schemas.get_mut("Problem"), problem_codes);
    enumerate(
        components.schemas.get_mut("FieldErrorBody"),
        domain::codes::FIELD_CODES
            .iter()
            .map(|c| (*c).to_owned())
            .collect(),
    );
}
