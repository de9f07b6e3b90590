using Microsoft.Extensions.Options;

namespace ServerlessTracker.Sync;

// The options' attribute rules ([Range], [Required], IValidatableObject), checked by code the options source generator
// writes at compile time: reflection-based DataAnnotations validation is not available to a Native AOT binary.

[OptionsValidator]
internal sealed partial class RegionOptionsValidator : IValidateOptions<RegionOptions>;

[OptionsValidator]
internal sealed partial class SyncOptionsValidator : IValidateOptions<SyncOptions>;
