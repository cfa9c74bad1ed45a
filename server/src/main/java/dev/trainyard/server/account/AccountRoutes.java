package dev.trainyard.server.account;

import dev.trainyard.api.AdminStats;
import dev.trainyard.api.CreateUserRequest;
import dev.trainyard.api.CreatedUser;
import dev.trainyard.api.Me;
import dev.trainyard.api.User;
import dev.trainyard.server.http.Access;
import dev.trainyard.server.http.Route;
import java.util.List;

/** The caller's own account and the administrators' user management. */
public final class AccountRoutes {
    private final AccountService accounts;

    public AccountRoutes(AccountService accounts) {
        this.accounts = accounts;
    }

    public List<Route> routes() {
        return List.of(
                Route.get("/api/auth/me")
                        .tag("Auth")
                        .summary("Who you are, how you authenticated, and your organizations")
                        .returns(200, Me.class)
                        .handle(call -> call.ok(accounts.me(call.principal()))),
                Route.get("/api/admin/users")
                        .access(Access.ADMIN)
                        .tag("Admin")
                        .summary("List users (administrators)")
                        .paged()
                        .returns(200, Route.pageOf(User.class))
                        .errors(400, 403)
                        .handle(call -> call.ok(accounts.list(call.page()))),
                Route.post("/api/admin/users")
                        .access(Access.ADMIN)
                        .tag("Admin")
                        .summary("Create a user with a personal organization (administrators)")
                        .description("Without a password one is generated and returned once.")
                        .body(CreateUserRequest.class)
                        .returns(201, CreatedUser.class)
                        .errors(400, 403, 409)
                        .handle(call -> call.json(201, accounts.create(call.body(CreateUserRequest.class)))),
                Route.get("/api/admin/stats")
                        .access(Access.ADMIN)
                        .tag("Admin")
                        .summary("Counts of users, organizations, projects and active API keys (administrators)")
                        .returns(200, AdminStats.class)
                        .errors(403)
                        .handle(call -> call.ok(accounts.stats())));
    }
}
