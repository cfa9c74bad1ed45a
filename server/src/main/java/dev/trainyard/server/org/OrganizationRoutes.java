package dev.trainyard.server.org;

import dev.trainyard.api.AddMemberRequest;
import dev.trainyard.api.ChangeRoleRequest;
import dev.trainyard.api.CreateOrganizationRequest;
import dev.trainyard.api.Member;
import dev.trainyard.api.Organization;
import dev.trainyard.server.http.Route;
import java.util.List;

/** Organizations and members. */
public final class OrganizationRoutes {
    private static final String TAG = "Organizations";

    private final OrganizationService organizations;

    public OrganizationRoutes(OrganizationService organizations) {
        this.organizations = organizations;
    }

    public List<Route> routes() {
        return List.of(
                Route.get("/api/organizations")
                        .tag(TAG)
                        .summary("List the organizations you belong to, with your role")
                        .paged()
                        .returns(200, Route.pageOf(Organization.class))
                        .errors(400)
                        .handle(call -> call.ok(organizations.list(call.principal(), call.page()))),
                Route.post("/api/organizations")
                        .tag(TAG)
                        .summary("Create an organization; you become its owner")
                        .body(CreateOrganizationRequest.class)
                        .returns(201, Organization.class)
                        .errors(400)
                        .handle(call -> call.json(
                                201,
                                organizations.create(call.principal(), call.body(CreateOrganizationRequest.class)))),
                Route.get("/api/organizations/{organizationId}")
                        .tag(TAG)
                        .summary("Get an organization you belong to")
                        .returns(200, Organization.class)
                        .errors(404)
                        .handle(call -> call.ok(organizations.get(call.principal(), call.path("organizationId")))),
                Route.get("/api/organizations/{organizationId}/members")
                        .tag(TAG)
                        .summary("List an organization's members")
                        .paged()
                        .returns(200, Route.pageOf(Member.class))
                        .errors(400, 404)
                        .handle(call -> call.ok(
                                organizations.members(call.principal(), call.path("organizationId"), call.page()))),
                Route.post("/api/organizations/{organizationId}/members")
                        .tag(TAG)
                        .summary("Add a member (admins and owners); only owners add owners")
                        .body(AddMemberRequest.class)
                        .returns(201, Member.class)
                        .errors(400, 403, 404, 409)
                        .handle(call -> call.json(
                                201,
                                organizations.addMember(
                                        call.principal(),
                                        call.path("organizationId"),
                                        call.body(AddMemberRequest.class)))),
                Route.patch("/api/organizations/{organizationId}/members/{userId}")
                        .tag(TAG)
                        .summary("Change a member's role (admins and owners)")
                        .body(ChangeRoleRequest.class)
                        .returns(200, Member.class)
                        .errors(400, 403, 404, 409)
                        .handle(call -> call.ok(organizations.changeRole(
                                call.principal(),
                                call.path("organizationId"),
                                call.path("userId"),
                                call.body(ChangeRoleRequest.class)))),
                Route.delete("/api/organizations/{organizationId}/members/{userId}")
                        .tag(TAG)
                        .summary("Remove a member (admins and owners), or leave (yourself)")
                        .returns(204, null)
                        .errors(403, 404, 409)
                        .handle(call -> {
                            organizations.removeMember(
                                    call.principal(), call.path("organizationId"), call.path("userId"));
                            call.noContent();
                        }));
    }
}
