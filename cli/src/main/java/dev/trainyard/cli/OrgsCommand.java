package dev.trainyard.cli;

import dev.trainyard.api.AddMemberRequest;
import dev.trainyard.api.CreateOrganizationRequest;
import dev.trainyard.api.Member;
import dev.trainyard.api.Organization;
import dev.trainyard.api.Role;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "orgs", description = "Organizations and their members.")
final class OrgsCommand {
    private final Cli cli;

    OrgsCommand(Cli cli) {
        this.cli = cli;
    }

    @Command(name = "list", description = "Your organizations and your role in each.")
    int list(@Mixin Output output) {
        List<Organization> organizations = cli.client().organizations().toList();
        print(output, organizations, organizations);
        return Cli.ExitCode.OK;
    }

    @Command(name = "create", description = "Create an organization (you become its owner).")
    int create(@Mixin Output output, @Parameters(paramLabel = "NAME") String name) {
        Organization organization = cli.client().createOrganization(new CreateOrganizationRequest(name));
        print(output, organization, List.of(organization));
        return Cli.ExitCode.OK;
    }

    @Command(
            name = "members",
            description = "List an organization's members, or add one with --add USER --role ROLE.",
            footer = {"", "Example:", "  trainyard orgs members o-123 --add alice --role member"})
    int members(
            @Mixin Output output,
            @Parameters(paramLabel = "ORG") String organization,
            @Option(names = "--add", description = "User id or username to add") String add,
            @Option(names = "--role", defaultValue = "member", description = "owner, admin, member or viewer")
                    String role) {
        if (add != null) {
            cli.client().addMember(organization, new AddMemberRequest(add, Role.fromWire(role)));
        }
        List<Member> members = cli.client().members(organization).toList();
        cli.print(
                output,
                members,
                List.of("USER", "USERNAME", "ROLE", "JOINED"),
                members.stream()
                        .map(member -> List.of(
                                member.user().id(),
                                member.user().username(),
                                member.role().toString().toLowerCase(java.util.Locale.ROOT),
                                member.joinedAt().toString()))
                        .toList());
        return Cli.ExitCode.OK;
    }

    private void print(Output output, Object value, List<Organization> organizations) {
        cli.print(
                output,
                value,
                List.of("ID", "NAME", "ROLE", "PERSONAL"),
                organizations.stream()
                        .map(org -> List.of(
                                org.id(),
                                org.name(),
                                org.role() == null ? "-" : org.role().toString().toLowerCase(java.util.Locale.ROOT),
                                String.valueOf(org.personal())))
                        .toList());
    }
}
