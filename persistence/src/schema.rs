//! One hand-written schema for both backends: only portable SQL types
//! (Text, BigInt, Integer, Bool). UUIDs and JSON are text, times are unix
//! microseconds.

diesel::table! {
    organisations (id) {
        id -> Text,
        kind -> Text,
        legal_name -> Text,
        siret -> Nullable<Text>,
        country -> Text,
        registration_number -> Nullable<Text>,
        street -> Text,
        postal_code -> Text,
        city -> Text,
        region -> Text,
        website -> Nullable<Text>,
        membership -> Text,
        created_at -> BigInt,
        updated_at -> BigInt,
        first_submitted_at -> Nullable<BigInt>,
    }
}

diesel::table! {
    users (id) {
        id -> Text,
        organisation_id -> Nullable<Text>,
        email -> Text,
        password_hash -> Text,
        full_name -> Text,
        platform_role -> Text,
        org_role -> Nullable<Text>,
        language -> Text,
        email_verified_at -> Nullable<BigInt>,
        active -> Bool,
        notifications_opt_out -> Bool,
        created_at -> BigInt,
        updated_at -> BigInt,
    }
}

diesel::table! {
    one_time_tokens (id) {
        id -> Text,
        user_id -> Text,
        purpose -> Text,
        token_hash -> Text,
        expires_at -> BigInt,
        used_at -> Nullable<BigInt>,
        created_at -> BigInt,
    }
}

diesel::table! {
    invitations (id) {
        id -> Text,
        organisation_id -> Text,
        email -> Text,
        org_role -> Text,
        token_hash -> Text,
        invited_by -> Text,
        expires_at -> BigInt,
        accepted_at -> Nullable<BigInt>,
        created_at -> BigInt,
    }
}

diesel::table! {
    refresh_tokens (id) {
        id -> Text,
        family_id -> Text,
        user_id -> Text,
        token_hash -> Text,
        expires_at -> BigInt,
        rotated_at -> Nullable<BigInt>,
        revoked_at -> Nullable<BigInt>,
        created_at -> BigInt,
    }
}

diesel::table! {
    audit_log (id) {
        id -> Text,
        actor_id -> Nullable<Text>,
        action -> Text,
        subject_type -> Text,
        subject_id -> Text,
        from_state -> Nullable<Text>,
        to_state -> Nullable<Text>,
        note -> Nullable<Text>,
        internal -> Bool,
        created_at -> BigInt,
    }
}

diesel::table! {
    notifications (id) {
        id -> Text,
        kind -> Text,
        recipient_email -> Text,
        language -> Text,
        payload -> Text,
        status -> Text,
        attempts -> Integer,
        next_attempt_at -> BigInt,
        locked_until -> Nullable<BigInt>,
        last_error -> Nullable<Text>,
        created_at -> BigInt,
        sent_at -> Nullable<BigInt>,
    }
}

diesel::table! {
    capability_nodes (code) {
        code -> Text,
        fr -> Text,
        en -> Text,
        synonyms -> Text,
        position -> Integer,
        created_at -> BigInt,
    }
}

diesel::table! {
    certification_types (code) {
        code -> Text,
        fr -> Text,
        en -> Text,
        description_fr -> Text,
        description_en -> Text,
        position -> Integer,
    }
}

diesel::table! {
    supplier_profiles (organisation_id) {
        organisation_id -> Text,
        status -> Text,
        working -> Text,
        published -> Nullable<Text>,
        version -> BigInt,
        submitted_at -> Nullable<BigInt>,
        published_at -> Nullable<BigInt>,
        reviewed_by -> Nullable<Text>,
        reviewed_at -> Nullable<BigInt>,
        review_comment -> Nullable<Text>,
        created_at -> BigInt,
        updated_at -> BigInt,
        first_published_at -> Nullable<BigInt>,
        member -> Bool,
    }
}

diesel::table! {
    supplier_certifications (id) {
        id -> Text,
        organisation_id -> Text,
        type_code -> Text,
        scope -> Text,
        certifying_body -> Text,
        valid_from -> Text,
        valid_until -> Text,
        document_ref -> Nullable<Text>,
        status -> Text,
        review_note -> Nullable<Text>,
        reviewed_by -> Nullable<Text>,
        reviewed_at -> Nullable<BigInt>,
        created_at -> BigInt,
        updated_at -> BigInt,
        version -> BigInt,
    }
}

diesel::table! {
    index_events (seq) {
        seq -> BigInt,
        organisation_id -> Text,
        attempts -> Integer,
        next_attempt_at -> BigInt,
        last_error -> Nullable<Text>,
        created_at -> BigInt,
    }
}

diesel::table! {
    sourcing_requests (id) {
        id -> Text,
        buyer_organisation_id -> Text,
        created_by -> Text,
        status -> Text,
        title -> Text,
        content -> Text,
        response_deadline -> BigInt,
        identity_revealed -> Bool,
        version -> BigInt,
        submitted_at -> Nullable<BigInt>,
        created_at -> BigInt,
        updated_at -> BigInt,
        search_text -> Text,
    }
}

diesel::table! {
    /// What the activity report counts of each request, kept with every
    /// step, quote and award (`activity`).
    request_activity (request_id) {
        request_id -> Text,
        buyer_organisation_id -> Text,
        coding -> Text,
        submitted_at -> Nullable<BigInt>,
        qualified_at -> Nullable<BigInt>,
        rejected_at -> Nullable<BigInt>,
        opened_at -> Nullable<BigInt>,
        awarded_at -> Nullable<BigInt>,
        cancelled_at -> Nullable<BigInt>,
        first_quote_at -> Nullable<BigInt>,
        quoting_suppliers -> BigInt,
        awarded_suppliers -> BigInt,
        first_at -> Nullable<BigInt>,
        last_at -> Nullable<BigInt>,
    }
}

diesel::table! {
    request_matches (id) {
        id -> Text,
        request_id -> Text,
        supplier_organisation_id -> Text,
        origin -> Text,
        score -> Double,
        explanation -> Text,
        override_reason -> Nullable<Text>,
        status -> Text,
        internal_note -> Nullable<Text>,
        note_for_buyer -> Nullable<Text>,
        proposed_by -> Text,
        decided_by -> Nullable<Text>,
        decided_at -> Nullable<BigInt>,
        created_at -> BigInt,
    }
}

diesel::table! {
    request_invitations (request_id, supplier_organisation_id) {
        request_id -> Text,
        supplier_organisation_id -> Text,
        status -> Text,
        decline_reason -> Nullable<Text>,
        shortlisted -> Bool,
        outcome -> Nullable<Text>,
        invited_at -> BigInt,
        responded_at -> Nullable<BigInt>,
    }
}

diesel::table! {
    request_quotes (id) {
        id -> Text,
        request_id -> Text,
        supplier_organisation_id -> Text,
        revision -> Integer,
        amount_minor -> BigInt,
        currency -> Text,
        lead_time_days -> Integer,
        valid_until -> Text,
        message -> Text,
        attachments -> Text,
        submitted_by -> Text,
        created_at -> BigInt,
    }
}

diesel::table! {
    request_questions (id) {
        id -> Text,
        request_id -> Text,
        supplier_organisation_id -> Text,
        asked_by -> Text,
        question -> Text,
        answer -> Nullable<Text>,
        answered_by -> Nullable<Text>,
        answered_at -> Nullable<BigInt>,
        created_at -> BigInt,
    }
}

diesel::table! {
    reminders_sent (kind, subject_id, due_on) {
        kind -> Text,
        subject_id -> Text,
        due_on -> Text,
        created_at -> BigInt,
    }
}

diesel::table! {
    idempotency_keys (scope, idempotency_key) {
        scope -> Text,
        idempotency_key -> Text,
        request_hash -> Text,
        status -> Nullable<Integer>,
        headers -> Nullable<Text>,
        body -> Nullable<Text>,
        locked_until -> BigInt,
        created_at -> BigInt,
    }
}

diesel::table! {
    events (position) {
        position -> BigInt,
        id -> Text,
        event_type -> Text,
        object_kind -> Text,
        object_id -> Text,
        request_id -> Nullable<Text>,
        buyer_organisation_id -> Nullable<Text>,
        audience -> Text,
        audience_organisation_id -> Nullable<Text>,
        actor_role -> Nullable<Text>,
        data -> Text,
        created_at -> BigInt,
    }
}
diesel::table! {
    data_versions (name) {
        name -> Text,
        version -> BigInt,
    }
}

diesel::table! {
    event_readers (organisation_id, position) {
        organisation_id -> Text,
        position -> BigInt,
        event_type -> Text,
    }
}

diesel::table! {
    files (id) {
        id -> Text,
        organisation_id -> Text,
        uploaded_by -> Text,
        display_name -> Text,
        media_type -> Text,
        size_bytes -> BigInt,
        sha256 -> Text,
        storage_key -> Text,
        attached_kind -> Nullable<Text>,
        attached_id -> Nullable<Text>,
        created_at -> BigInt,
    }
}

diesel::table! {
    webhooks (id) {
        id -> Text,
        organisation_id -> Nullable<Text>,
        organisation_kind -> Nullable<Text>,
        url -> Text,
        event_types -> Text,
        secret -> Text,
        status -> Text,
        failing_since -> Nullable<BigInt>,
        created_by -> Text,
        created_at -> BigInt,
        updated_at -> BigInt,
    }
}

diesel::table! {
    webhook_deliveries (id) {
        id -> Text,
        webhook_id -> Text,
        event_position -> BigInt,
        object_id -> Text,
        status -> Text,
        attempts -> Integer,
        next_attempt_at -> BigInt,
        locked_until -> Nullable<BigInt>,
        last_status_code -> Nullable<Integer>,
        last_latency_ms -> Nullable<BigInt>,
        last_response -> Nullable<Text>,
        last_error -> Nullable<Text>,
        created_at -> BigInt,
        delivered_at -> Nullable<BigInt>,
    }
}

diesel::joinable!(webhook_deliveries -> webhooks (webhook_id));
diesel::joinable!(webhook_deliveries -> events (event_position));
diesel::joinable!(event_readers -> events (position));

diesel::table! {
    storage_removals (storage_key) {
        storage_key -> Text,
        due_at -> BigInt,
        attempts -> Integer,
        created_at -> BigInt,
    }
}

diesel::table! {
    request_nda_acceptances (request_id, organisation_id) {
        request_id -> Text,
        organisation_id -> Text,
        accepted_by -> Text,
        accepted_at -> BigInt,
    }
}

diesel::table! {
    inbox_items (id) {
        id -> Text,
        user_id -> Text,
        kind -> Text,
        payload -> Text,
        created_at -> BigInt,
        read_at -> Nullable<BigInt>,
    }
}

diesel::table! {
    published_capabilities (organisation_id, code) {
        organisation_id -> Text,
        code -> Text,
        declared -> Bool,
        detail -> Nullable<Text>,
        region -> Text,
        department -> Text,
    }
}

diesel::joinable!(published_capabilities -> organisations (organisation_id));
diesel::joinable!(users -> organisations (organisation_id));
diesel::joinable!(request_activity -> organisations (buyer_organisation_id));
diesel::joinable!(supplier_profiles -> organisations (organisation_id));
diesel::joinable!(supplier_certifications -> organisations (organisation_id));
diesel::joinable!(one_time_tokens -> users (user_id));
diesel::joinable!(refresh_tokens -> users (user_id));
diesel::joinable!(invitations -> organisations (organisation_id));

diesel::allow_tables_to_appear_in_same_query!(
    organisations,
    users,
    one_time_tokens,
    invitations,
    refresh_tokens,
    audit_log,
    notifications,
    capability_nodes,
    certification_types,
    supplier_profiles,
    supplier_certifications,
    index_events,
    sourcing_requests,
    request_activity,
    request_matches,
    request_invitations,
    request_quotes,
    request_questions,
    reminders_sent,
    idempotency_keys,
    events,
    event_readers,
    data_versions,
    webhooks,
    webhook_deliveries,
    files,
    storage_removals,
    request_nda_acceptances,
    inbox_items,
    published_capabilities,
);

diesel::allow_columns_to_appear_in_same_group_by_clause!(
    published_capabilities::code,
    published_capabilities::region,
    published_capabilities::department,
    organisations::membership,
);

diesel::allow_columns_to_appear_in_same_group_by_clause!(
    published_capabilities::code,
    supplier_certifications::type_code,
);
