//! Every integration test, in one binary to keep link time down.

#[path = "all"]
mod all {
    mod abuse;
    mod accessibility;
    mod accounts;
    mod administration;
    mod api;
    mod appeals;
    mod channels;
    mod closed_loop;
    mod complaint;
    mod deadlines;
    mod device;
    mod disclosure;
    mod durability;
    mod erasure;
    mod forwarding;
    mod going_live;
    mod journeys;
    mod kinds;
    mod management;
    mod messages;
    mod organisation;
    mod postgres;
    mod rating;
    mod referrals;
    mod report;
    mod return_visits;
    mod scopes;
    mod systems;
    mod tickets;
    mod upward;
    mod visits;
    mod voices;
    mod window;
}
