//! Every integration test, in one binary to keep link time down.

#[path = "all"]
mod all {
    mod accessibility;
    mod administration;
    mod api;
    mod closed_loop;
    mod complaint;
    mod disclosure;
    mod journeys;
    mod management;
    mod rating;
    mod report;
    mod systems;
    mod tickets;
    mod window;
}
