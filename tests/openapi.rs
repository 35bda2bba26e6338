//! `vouch openapi`: the `OpenAPI` 3.1 document assembled from the bundled suite is valid
//! against the schema the OAI publishes for it (tests/data/openapi/), every `$ref`
//! stays inside it, every component schema is one of schemas/ (nothing invented, nothing
//! lost), and the five documented operations answer the status codes of the contract.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a failed unwrap is a failed test

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::PathBuf;

use jsonschema::{Draft, Retrieve, Uri};
use serde_json::{json, Value};
use vouch::fixture::vocabulary::IfMatchUse;
use vouch::openapi::{self, OpenApi, Source};
use vouch::schema::SCHEMA_BASE;
use vouch::{Basis, Suite};

const ITEM: &str = "/v1.0/engagements/referrals/{id}";
const COLLECTION: &str = "/v1.0/engagements/referrals";

/// Where the tests serve the document from when they compile its components.
const DOCUMENT_URI: &str = "https://openapi.vouch.invalid/document.json";

use common::suite;

fn exported() -> (Suite, OpenApi) {
    let suite = suite();
    let openapi = openapi::build(&suite).expect("the bundled suite exports");
    (suite, openapi)
}

fn published_schema() -> Value {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/openapi/schema.json");
    serde_json::from_str(&fs::read_to_string(path).unwrap()).unwrap()
}

fn operation<'a>(document: &'a Value, path: &str, method: &str) -> &'a Value {
    document["paths"][path]
        .get(method)
        .unwrap_or_else(|| panic!("no {method} on {path}"))
}

fn codes(operation: &Value) -> BTreeSet<String> {
    operation["responses"]
        .as_object()
        .unwrap()
        .keys()
        .cloned()
        .collect()
}

fn parameter<'a>(operation: &'a Value, name: &str) -> Option<&'a Value> {
    operation["parameters"]
        .as_array()
        .and_then(|ps| ps.iter().find(|p| p["name"] == name))
}

/// Every `"$ref"` string in `value`, with the JSON Pointer of where it stands.
fn refs(value: &Value, at: &str, out: &mut Vec<(String, String)>) {
    match value {
        Value::Object(map) => {
            for (key, member) in map {
                let here = format!("{at}/{}", key.replace('~', "~0").replace('/', "~1"));
                if key == "$ref" {
                    if let Value::String(target) = member {
                        out.push((here.clone(), target.clone()));
                    }
                }
                refs(member, &here, out);
            }
        }
        Value::Array(items) => {
            for (index, item) in items.iter().enumerate() {
                refs(item, &format!("{at}/{index}"), out);
            }
        }
        _ => {}
    }
}

/// Serves the `OpenAPI` document to the validator, and nothing else.
struct Document(Value);

impl Retrieve for Document {
    fn retrieve(
        &self,
        uri: &Uri<String>,
    ) -> Result<Value, Box<dyn std::error::Error + Send + Sync>> {
        if uri.as_str().trim_end_matches('#') == DOCUMENT_URI {
            Ok(self.0.clone())
        } else {
            Err(format!("nothing at {uri}").into())
        }
    }
}

/// A validator for the component `name`, resolved inside the document only.
fn component_validator(document: &Value, name: &str) -> jsonschema::Validator {
    jsonschema::options()
        .with_draft(Draft::Draft202012)
        .with_retriever(Document(document.clone()))
        .build(&json!({ "$ref": format!("{DOCUMENT_URI}#/components/schemas/{name}") }))
        .unwrap()
}

/// The component exported from the contract's schema `name` (e.g. `referral`).
fn component_of(suite: &Suite, openapi: &OpenApi, name: &str) -> String {
    let file = &suite.contract.schemas[name];
    openapi
        .sources()
        .iter()
        .find(|(_, source)| source.file == *file && source.pointer.is_empty())
        .map_or_else(
            || panic!("no component for schema {name}"),
            |(component, _)| component.clone(),
        )
}

// -------------------------------------------------------------------------------------
// (1) a valid OpenAPI 3.1 document

#[test]
fn the_document_is_valid_against_the_published_openapi_3_1_schema() {
    // Arrange
    let (_, openapi) = exported();
    let schema = published_schema();
    let validator = jsonschema::options()
        .with_draft(Draft::Draft202012)
        .build(&schema)
        .expect("the published schema compiles offline");

    // Act
    let errors: Vec<String> = validator
        .iter_errors(openapi.document())
        .map(|e| format!("{}: {e}", e.instance_path()))
        .collect();

    // Assert
    assert!(
        schema["$id"]
            .as_str()
            .unwrap()
            .starts_with("https://spec.openapis.org/oas/3.1/schema/"),
        "the test data is the OAI's 3.1 schema"
    );
    assert!(errors.is_empty(), "{errors:#?}");
    assert_eq!(openapi.document()["openapi"], "3.1.0");
}

#[test]
fn the_published_schema_refuses_broken_documents_so_the_check_above_means_something() {
    // Arrange: the check above would prove nothing if the schema accepted anything.
    let (_, openapi) = exported();
    let validator = jsonschema::options()
        .with_draft(Draft::Draft202012)
        .build(&published_schema())
        .unwrap();
    let mut without_info = openapi.document().clone();
    without_info.as_object_mut().unwrap().remove("info");
    let mut unknown_field = openapi.document().clone();
    unknown_field["paths"][ITEM]["patch"]["responsez"] = json!({});
    let mut number_as_schema = openapi.document().clone();
    number_as_schema["components"]["schemas"]["Referral"] = json!(5);

    // Act
    let refuses_without_info = !validator.is_valid(&without_info);
    let refuses_unknown_field = !validator.is_valid(&unknown_field);
    let refuses_number_as_schema = !validator.is_valid(&number_as_schema);

    // Assert
    assert!(refuses_without_info);
    assert!(refuses_unknown_field);
    assert!(refuses_number_as_schema, "$dynamicRef #meta resolves");
}

#[test]
fn every_component_schema_is_a_valid_json_schema_2020_12() {
    // Arrange
    let (_, openapi) = exported();
    let schemas = openapi.document()["components"]["schemas"]
        .as_object()
        .unwrap();

    // Act
    let invalid: Vec<String> = schemas
        .iter()
        .filter_map(|(name, schema)| {
            jsonschema::meta::validate(schema)
                .err()
                .map(|e| format!("{name}: {e}"))
        })
        .collect();

    // Assert
    assert!(invalid.is_empty(), "{invalid:#?}");
    assert_eq!(
        openapi.document()["jsonSchemaDialect"],
        "https://json-schema.org/draft/2020-12/schema"
    );
}

// -------------------------------------------------------------------------------------
// (2) every $ref resolves inside the document

#[test]
fn every_ref_resolves_inside_the_document() {
    // Arrange
    let (_, openapi) = exported();
    let document = openapi.document();
    let mut found = Vec::new();
    refs(document, "", &mut found);

    // Act
    let dangling: Vec<String> = found
        .iter()
        .filter(|(_, target)| {
            target
                .strip_prefix('#')
                .is_none_or(|pointer| document.pointer(pointer).is_none())
        })
        .map(|(at, target)| format!("{at}: {target}"))
        .collect();

    // Assert
    assert!(found.len() > 50, "only {} $refs found", found.len());
    assert!(dangling.is_empty(), "{dangling:#?}");
}

#[test]
fn no_schema_keeps_an_id_or_a_schema_keyword_that_would_move_its_base() {
    // Arrange
    let (_, openapi) = exported();
    let schemas = openapi.document()["components"]["schemas"]
        .as_object()
        .unwrap();

    // Act
    let carrying: Vec<&String> = schemas
        .iter()
        .filter(|(_, s)| s.get("$id").is_some() || s.get("$schema").is_some())
        .map(|(name, _)| name)
        .collect();

    // Assert
    assert!(carrying.is_empty(), "{carrying:?}");
}

#[test]
fn the_documented_examples_validate_against_the_exported_components() {
    // Arrange: the rewritten $refs must mean what the files' $refs meant.
    let (suite, openapi) = exported();
    let mut checked = 0;
    let mut failures = Vec::new();

    // Act
    for example in &suite.examples {
        let (Some(schema), Some(body)) = (&example.spec.schema, &example.json) else {
            continue;
        };
        let component = component_of(&suite, &openapi, schema);
        let validator = component_validator(openapi.document(), &component);
        checked += 1;
        for error in validator.iter_errors(body) {
            failures.push(format!(
                "{} as {component}: {}: {error}",
                example.spec.name,
                error.instance_path()
            ));
        }
    }

    // Assert
    assert_eq!(checked, 10, "every example with a body was checked");
    assert!(failures.is_empty(), "{failures:#?}");
}

#[test]
fn a_referral_with_an_unknown_status_is_refused_by_the_exported_referral() {
    // Arrange: ReferralStatus is reached through two rewritten $refs.
    let (suite, openapi) = exported();
    let mut referral = suite
        .example("get-a-referral-by-id.response")
        .and_then(|e| e.json.clone())
        .unwrap();
    referral["status"] = json!("Open");
    let validator = component_validator(openapi.document(), "Referral");

    // Act
    let errors: Vec<String> = validator
        .iter_errors(&referral)
        .map(|e| e.instance_path().to_string())
        .collect();

    // Assert
    assert!(errors.contains(&"/status".to_owned()), "{errors:?}");
}

// -------------------------------------------------------------------------------------
// (3) every component is one of ours

/// Turns every `$ref` of a schema into `file#pointer`, the place it names in schemas/.
fn canonical(value: &Value, resolve: &dyn Fn(&str) -> String) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(key, member)| {
                    let member = match (key.as_str(), member) {
                        ("$ref", Value::String(target)) => Value::String(resolve(target)),
                        _ => canonical(member, resolve),
                    };
                    (key.clone(), member)
                })
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(|i| canonical(i, resolve)).collect()),
        other => other.clone(),
    }
}

#[test]
fn every_component_schema_comes_from_a_file_of_schemas_or_its_defs_unchanged() {
    // Arrange
    let (suite, openapi) = exported();
    let documents = suite.schemas.documents();
    let sources = openapi.sources();
    let components = openapi.document()["components"]["schemas"]
        .as_object()
        .unwrap();
    let from_component = |target: &str| -> String {
        let rest = target
            .strip_prefix("#/components/schemas/")
            .unwrap_or_else(|| panic!("{target} is not a component ref"));
        let (name, pointer) = rest.find('/').map_or((rest, ""), |at| rest.split_at(at));
        let source = &sources[name];
        format!("{}#{}{pointer}", source.file, source.pointer)
    };

    // Act
    let mut differing = Vec::new();
    for (name, component) in components {
        let source = sources
            .get(name)
            .unwrap_or_else(|| panic!("component {name} has no source: invented"));
        let file_document = &documents[&source.file];
        let mut original = file_document.pointer(&source.pointer).unwrap().clone();
        if source.pointer.is_empty() {
            let map = original.as_object_mut().unwrap();
            for dropped in ["$id", "$schema", "$defs"] {
                map.remove(dropped);
            }
        }
        let from_file = |target: &str| -> String {
            let (path, fragment) = target.split_once('#').unwrap_or((target, ""));
            let path = path.strip_prefix(SCHEMA_BASE).unwrap_or(path);
            let file = if path.is_empty() { &source.file } else { path };
            format!("{file}#{fragment}")
        };
        if canonical(component, &from_component) != canonical(&original, &from_file) {
            differing.push(name.clone());
        }
    }

    // Assert
    assert!(differing.is_empty(), "changed on export: {differing:?}");
    assert_eq!(components.len(), sources.len());
}

#[test]
fn every_schema_file_and_every_definition_becomes_a_component() {
    // Arrange
    let (suite, openapi) = exported();
    let mut expected = BTreeSet::new();
    for (file, document) in suite.schemas.documents() {
        let only_definitions = document.as_object().unwrap().keys().all(|k| {
            [
                "$schema",
                "$id",
                "title",
                "description",
                "$comment",
                "$defs",
            ]
            .contains(&k.as_str())
        });
        if !only_definitions {
            expected.insert(Source {
                file: file.clone(),
                pointer: String::new(),
            });
        }
        if let Some(definitions) = document.get("$defs").and_then(Value::as_object) {
            for name in definitions.keys() {
                expected.insert(Source {
                    file: file.clone(),
                    pointer: format!("/$defs/{name}"),
                });
            }
        }
    }

    // Act
    let exported: BTreeSet<Source> = openapi.sources().values().cloned().collect();

    // Assert
    assert_eq!(exported, expected);
}

#[test]
fn components_are_named_after_their_files_and_the_shared_types_keep_their_names() {
    // Arrange
    let (_, openapi) = exported();
    let sources = openapi.sources();

    // Act
    let named = |name: &str| sources.get(name).map(ToString::to_string);

    // Assert
    for (name, origin) in [
        ("Referral", "referral.schema.json#"),
        ("ReferralCreate", "referral-create.schema.json#"),
        ("ReferralPut", "referral-put.schema.json#"),
        ("JsonPatch", "json-patch.schema.json#"),
        ("ReferralList", "referral-list.schema.json#"),
        ("Error", "error.schema.json#"),
        ("ErrorPartnerApi", "error-partner-api.schema.json#"),
        ("ErrorPartnerCenter", "error-partner-center.schema.json#"),
        (
            "ReferralStatus",
            "referral-types.schema.json#/$defs/ReferralStatus",
        ),
        ("ETag", "referral-types.schema.json#/$defs/ETag"),
        (
            "JsonPatch.Operation",
            "json-patch.schema.json#/$defs/Operation",
        ),
    ] {
        assert_eq!(named(name).as_deref(), Some(origin), "{name}");
    }
}

#[test]
fn the_comments_that_flag_unclear_docs_survive_the_export() {
    // Arrange
    let (suite, openapi) = exported();
    let count = |value: &Value| value.to_string().matches("\"$comment\"").count();
    let in_files: usize = suite.schemas.documents().values().map(count).sum();

    // Act
    let in_document = count(&openapi.document()["components"]["schemas"]);

    // Assert
    assert!(in_files > 10);
    assert_eq!(in_document, in_files);
}

// -------------------------------------------------------------------------------------
// (4) the five operations and their status codes

#[test]
fn the_five_documented_operations_are_on_the_contract_resource_path() {
    // Arrange
    let (_, openapi) = exported();
    let document = openapi.document();

    // Act
    let operations: BTreeSet<(String, String)> = document["paths"]
        .as_object()
        .unwrap()
        .iter()
        .flat_map(|(path, item)| {
            item.as_object()
                .unwrap()
                .keys()
                .filter(|k| *k != "parameters")
                .map(move |method| (path.clone(), method.clone()))
        })
        .collect();

    // Assert
    let expected: BTreeSet<(String, String)> = [
        (COLLECTION, "post"),
        (COLLECTION, "get"),
        (ITEM, "get"),
        (ITEM, "put"),
        (ITEM, "patch"),
    ]
    .iter()
    .map(|(p, m)| ((*p).to_owned(), (*m).to_owned()))
    .collect();
    assert_eq!(operations, expected);
    let id = &document["paths"][ITEM]["parameters"][0];
    assert_eq!(id["in"], "path");
    assert_eq!(id["required"], true);
}

#[test]
fn each_operation_answers_the_status_codes_of_its_situations() {
    // Arrange
    let (_, openapi) = exported();
    let document = openapi.document();
    let expected: BTreeMap<(&str, &str), &[&str]> = BTreeMap::from([
        (
            (COLLECTION, "post"),
            &[
                "200", "201", "400", "401", "413", "415", "429", "4XX", "503",
            ][..],
        ),
        (
            (COLLECTION, "get"),
            &["200", "400", "401", "429", "4XX", "503"][..],
        ),
        ((ITEM, "get"), &["200", "401", "404", "429", "503"][..]),
        (
            (ITEM, "put"),
            &[
                "200", "400", "401", "404", "412", "413", "415", "428", "429", "4XX", "503",
            ][..],
        ),
        (
            (ITEM, "patch"),
            &[
                "200", "204", "400", "401", "404", "412", "413", "415", "429", "4XX", "503",
            ][..],
        ),
    ]);

    for ((path, method), codes_expected) in expected {
        // Act
        let found = codes(operation(document, path, method));

        // Assert
        let codes_expected: BTreeSet<String> =
            codes_expected.iter().map(|c| (*c).to_owned()).collect();
        assert_eq!(found, codes_expected, "{method} {path}");
    }
}

#[test]
fn every_situation_of_the_contract_is_in_the_document_with_its_basis() {
    // Arrange
    let (suite, openapi) = exported();
    let mut seen: BTreeMap<String, String> = BTreeMap::new();
    let mut collect = |responses: &Value| {
        for response in responses.as_object().unwrap().values() {
            for situation in response["x-vouch-situations"].as_array().unwrap() {
                seen.insert(
                    situation["situation"].as_str().unwrap().to_owned(),
                    situation["basis"].as_str().unwrap().to_owned(),
                );
            }
        }
    };

    // Act
    for item in openapi.document()["paths"].as_object().unwrap().values() {
        for (method, operation) in item.as_object().unwrap() {
            if method != "parameters" {
                collect(&operation["responses"]);
            }
        }
    }
    collect(&openapi.document()["components"]["responses"]);

    // Assert
    let expected: BTreeMap<String, String> = suite
        .contract
        .responses
        .iter()
        .map(|(name, r)| (name.clone(), r.basis.to_string()))
        .collect();
    assert_eq!(seen, expected);
    assert_eq!(
        openapi.document()["components"]["responses"]["MethodNotAllowed"]["x-vouch-situations"][0]
            ["expect"],
        "405"
    );
}

#[test]
fn the_obsolete_put_is_deprecated_and_requires_if_match() {
    // Arrange
    let (_, openapi) = exported();

    // Act
    let put = operation(openapi.document(), ITEM, "put");
    let if_match = parameter(put, "If-Match").expect("PUT takes If-Match");

    // Assert
    assert_eq!(put["deprecated"], true);
    assert_eq!(if_match["in"], "header");
    assert_eq!(if_match["required"], true);
    assert_eq!(
        put["requestBody"]["content"]["application/json"]["schema"]["$ref"],
        "#/components/schemas/ReferralPut"
    );
    assert_eq!(
        put["responses"]["412"]["x-vouch-situations"][0]["situation"],
        "stale_if_match"
    );
    assert_eq!(
        put["responses"]["428"]["x-vouch-situations"][0]["basis"],
        "assumed"
    );
}

#[test]
fn patch_takes_json_patch_as_application_json_with_optional_if_match_and_prefer() {
    // Arrange
    let (_, openapi) = exported();

    // Act
    let patch = operation(openapi.document(), ITEM, "patch");

    // Assert
    let content = patch["requestBody"]["content"].as_object().unwrap();
    assert_eq!(content.keys().collect::<Vec<_>>(), ["application/json"]);
    assert_eq!(
        content["application/json"]["schema"]["$ref"],
        "#/components/schemas/JsonPatch"
    );
    assert_eq!(parameter(patch, "If-Match").unwrap()["required"], false);
    let prefer = parameter(patch, "Prefer").expect("PATCH takes Prefer");
    assert_eq!(prefer["required"], false);
    assert_eq!(prefer["schema"]["enum"], json!(["return=representation"]));
    assert!(patch["responses"]["204"].get("content").is_none());
    assert_eq!(
        patch["responses"]["200"]["content"]["application/json"]["schema"]["$ref"],
        "#/components/schemas/Referral"
    );
    assert!(patch.get("deprecated").is_none());
}

#[test]
fn bodies_reference_the_create_put_patch_referral_list_and_error_schemas() {
    // Arrange
    let (_, openapi) = exported();
    let document = openapi.document();
    let body = |path: &str, method: &str, code: &str| {
        operation(document, path, method)["responses"][code]["content"]["application/json"]
            ["schema"]["$ref"]
            .clone()
    };

    // Act
    let create_request = &operation(document, COLLECTION, "post")["requestBody"]["content"]
        ["application/json"]["schema"]["$ref"];

    // Assert
    assert_eq!(create_request, "#/components/schemas/ReferralCreate");
    assert_eq!(
        body(COLLECTION, "post", "201"),
        "#/components/schemas/Referral"
    );
    assert_eq!(
        body(COLLECTION, "get", "200"),
        "#/components/schemas/ReferralList"
    );
    assert_eq!(body(ITEM, "get", "200"), "#/components/schemas/Referral");
    assert_eq!(body(ITEM, "get", "404"), "#/components/schemas/Error");
    assert_eq!(body(ITEM, "put", "412"), "#/components/schemas/Error");
}

#[test]
fn every_response_that_carries_a_referral_carries_an_etag_header_and_no_other_does() {
    // Arrange
    let (_, openapi) = exported();
    let mut with_referral = 0;

    // Act and Assert
    for item in openapi.document()["paths"].as_object().unwrap().values() {
        for (method, operation) in item.as_object().unwrap() {
            if method == "parameters" {
                continue;
            }
            for (code, response) in operation["responses"].as_object().unwrap() {
                let carries_referral = response["content"]["application/json"]["schema"]["$ref"]
                    == "#/components/schemas/Referral";
                let etag = response["headers"].get("ETag");
                assert_eq!(etag.is_some(), carries_referral, "{method} {code}");
                if let Some(etag) = etag {
                    with_referral += 1;
                    assert_eq!(etag["schema"]["$ref"], "#/components/schemas/ETag");
                }
            }
        }
    }
    assert_eq!(
        with_referral, 5,
        "create 200 and 201, get, put, patch with Prefer"
    );
}

#[test]
fn throttled_answers_carry_a_retry_after_header() {
    // Arrange
    let (_, openapi) = exported();

    // Act
    let get = operation(openapi.document(), ITEM, "get");

    // Assert
    for code in ["429", "503"] {
        assert!(
            get["responses"][code]["headers"]
                .get("Retry-After")
                .is_some(),
            "{code}"
        );
    }
    assert!(get["responses"]["404"].get("headers").is_none());
}

#[test]
fn the_list_takes_every_query_option_of_the_contract_and_says_next_link_is_opaque() {
    // Arrange
    let (suite, openapi) = exported();

    // Act
    let list = operation(openapi.document(), COLLECTION, "get");
    let names: Vec<&str> = list["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();

    // Assert
    assert_eq!(names, suite.contract.query.options);
    assert!(
        names.contains(&"$skip") && names.contains(&"$count"),
        "{names:?}"
    );
    for integer in ["$top", "$skip"] {
        assert_eq!(
            parameter(list, integer).unwrap()["schema"]["type"],
            "integer"
        );
    }
    assert_eq!(
        parameter(list, "$count").unwrap()["schema"]["type"],
        "boolean"
    );
    assert!(list["description"].as_str().unwrap().contains("opaque"));
}

#[test]
fn a_delete_and_a_list_on_a_path_of_its_own_are_exported_from_the_operations() {
    // Arrange: the bundled contract with a DELETE (If-Match required) and the list moved
    // under a parent, as an API that lists a parent's items declares it.
    let mut suite = suite();
    let operations = &mut suite.contract.operations;
    let mut delete = operations.get.clone().unwrap();
    delete.method = "DELETE".into();
    delete.response = None;
    delete.if_match = IfMatchUse::Required;
    operations.delete = Some(delete);
    let list = operations.list.as_mut().unwrap();
    list.path = Some("/v1.0/engagements/{engagement}/referrals".into());
    list.scope = BTreeMap::from([(
        "engagement".to_owned(),
        serde_json::from_value(json!("/engagementId")).unwrap(),
    )]);
    let deleted: vouch::fixture::contract::ExpectedResponse =
        serde_json::from_value(json!({ "status": [204], "basis": "assumed", "source": "a test" }))
            .unwrap();
    suite.contract.responses.insert("delete".into(), deleted);

    // Act
    let openapi = openapi::build(&suite).expect("the changed suite exports");
    let document = openapi.document();

    // Assert
    let delete = operation(document, ITEM, "delete");
    assert_eq!(parameter(delete, "If-Match").unwrap()["required"], true);
    assert!(delete["responses"]["204"].get("content").is_none());
    assert_eq!(
        delete["responses"]["412"]["x-vouch-situations"][0]["situation"],
        "stale_if_match"
    );
    assert!(delete.get("requestBody").is_none());
    let parent = "/v1.0/engagements/{engagement}/referrals";
    let listed = operation(document, parent, "get");
    assert_eq!(
        listed["responses"]["200"]["content"]["application/json"]["schema"]["$ref"],
        "#/components/schemas/ReferralList"
    );
    let scope = &document["paths"][parent]["parameters"][0];
    assert_eq!(scope["name"], "engagement");
    assert_eq!(scope["in"], "path");
    assert!(document["paths"][COLLECTION].get("get").is_none());
    assert!(document["paths"][COLLECTION].get("post").is_some());
}

#[test]
fn requests_are_authorised_with_a_bearer_token() {
    // Arrange
    let (_, openapi) = exported();
    let document = openapi.document();

    // Act
    let requirement = &document["security"][0];
    let name = requirement.as_object().unwrap().keys().next().unwrap();
    let scheme = &document["components"]["securitySchemes"][name];

    // Assert
    assert_eq!(scheme["type"], "http");
    assert_eq!(scheme["scheme"], "bearer");
}

#[test]
fn info_carries_the_crate_version_and_says_which_codes_are_assumed() {
    // Arrange
    let (suite, openapi) = exported();

    // Act
    let info = &openapi.document()["info"];
    let description = info["description"].as_str().unwrap();

    // Assert
    assert_eq!(info["version"], env!("CARGO_PKG_VERSION"));
    let (documented, assumed) = description
        .split_once("(assumed):")
        .expect("an assumed section");
    for (situation, expected) in &suite.contract.responses {
        let entry = format!("`{situation}`");
        match expected.basis {
            Basis::Documented => assert!(documented.contains(&entry), "{situation}"),
            Basis::Assumed => assert!(assumed.contains(&entry), "{situation}"),
        }
    }
}

// -------------------------------------------------------------------------------------
// (5) the command line

#[test]
fn vouch_openapi_prints_the_document_as_pretty_json_and_exits_0() {
    // Arrange
    let (_, openapi) = exported();

    // Act
    let output = common::vouch(&["openapi"]);

    // Assert
    assert_eq!(output.status.code(), Some(0), "{}", common::stderr(&output));
    let text = common::stdout(&output);
    assert!(
        text.starts_with("{\n  \"openapi\": \"3.1.0\""),
        "{text:.80}"
    );
    let printed: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(&printed, openapi.document());
}

#[test]
fn vouch_openapi_out_writes_the_document_to_the_named_file() {
    // Arrange
    let scratch = tempfile::tempdir().unwrap();
    let out = scratch.path().join("openapi.json");

    // Act
    let output = common::vouch(&["openapi", "--out", out.to_str().unwrap()]);

    // Assert
    assert_eq!(output.status.code(), Some(0), "{}", common::stderr(&output));
    assert!(common::stdout(&output).is_empty());
    let written: Value = serde_json::from_str(&fs::read_to_string(&out).unwrap()).unwrap();
    assert_eq!(written["openapi"], "3.1.0");
}

#[test]
fn vouch_openapi_on_a_missing_suite_exits_2_naming_the_folder() {
    // Arrange
    let scratch = tempfile::tempdir().unwrap();
    let missing = scratch.path().join("no-such-suite");

    // Act
    let output = common::vouch(&["openapi", missing.to_str().unwrap()]);

    // Assert
    assert_eq!(output.status.code(), Some(2));
    let stderr = common::stderr(&output);
    assert!(stderr.contains("no-such-suite"), "{stderr}");
    assert!(stderr.contains("does not exist"), "{stderr}");
    assert!(common::stdout(&output).is_empty());
}

#[test]
fn vouch_openapi_exits_2_naming_the_schema_whose_ref_cannot_be_exported() {
    // Arrange: an anchor reference compiles as JSON Schema but has no in-document form.
    let scratch = common::ScratchSuite::new();
    let file = "schemas/error-partner-center.schema.json";
    let mut schema: Value = serde_json::from_str(&scratch.read(file)).unwrap();
    schema["properties"]["extra"] = json!({ "$ref": "#node" });
    schema["$defs"] = json!({ "Node": { "$anchor": "node", "type": "string" } });
    scratch.write(file, &serde_json::to_string_pretty(&schema).unwrap());
    let suite = scratch.suite();

    // Act
    let output = common::vouch(&["openapi", suite.to_str().unwrap()]);

    // Assert
    assert_eq!(output.status.code(), Some(2));
    let stderr = common::stderr(&output);
    assert!(
        stderr.contains("error-partner-center.schema.json") && stderr.contains("#node"),
        "{stderr}"
    );
}
