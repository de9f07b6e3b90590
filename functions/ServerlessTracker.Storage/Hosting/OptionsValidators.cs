using Microsoft.Extensions.Options;
using ServerlessTracker.Engine.Policy;
using ServerlessTracker.Storage.Operator;

namespace ServerlessTracker.Storage.Hosting;

// The options' attribute rules ([Range], [Required], IValidatableObject), checked by code the options source generator
// writes at compile time: reflection-based DataAnnotations validation is not available to a Native AOT binary.

[OptionsValidator]
internal sealed partial class AccessSettingsValidator : IValidateOptions<AccessSettings>;

[OptionsValidator]
internal sealed partial class LeechControlSettingsValidator : IValidateOptions<LeechControlSettings>;

[OptionsValidator]
internal sealed partial class OperatorTablesOptionsValidator : IValidateOptions<OperatorTablesOptions>;

[OptionsValidator]
internal sealed partial class PolicySettingsValidator : IValidateOptions<PolicySettings>;

[OptionsValidator]
internal sealed partial class PrivateModeSettingsValidator : IValidateOptions<PrivateModeSettings>;

[OptionsValidator]
internal sealed partial class TableStoreOptionsValidator : IValidateOptions<TableStoreOptions>;
