using System.Collections.Concurrent;

namespace MLNet.Embeddings.Training;

/// <summary>
/// Backends the trainer can pick by <see cref="TrainerOptions.Backend"/>. The managed one is built in; the TorchSharp
/// assembly registers its factory (<c>TorchSharpBackend.Register()</c>), so this assembly never references libtorch.
/// </summary>
public static class TrainingEngines
{
    static readonly ConcurrentDictionary<TrainingBackend, ITrainingEngineFactory> Factories = new();

    /// <summary>Registers (or replaces) the factory of <see cref="ITrainingEngineFactory.Backend"/>.</summary>
    public static void Register(ITrainingEngineFactory factory)
    {
        ArgumentNullException.ThrowIfNull(factory);
        Factories[factory.Backend] = factory;
    }

    /// <summary>Whether <paramref name="backend"/> can be used now.</summary>
    public static bool IsAvailable(TrainingBackend backend) => backend == TrainingBackend.Managed || Factories.ContainsKey(backend);

    /// <summary>The factory for <paramref name="options"/>: <see cref="TrainerOptions.EngineFactory"/>, else the registered one.</summary>
    /// <exception cref="ConfigurationException">The backend is not registered, or the managed backend is asked for a non-CPU device or precision.</exception>
    public static ITrainingEngineFactory Resolve(TrainerOptions options)
    {
        if (options.EngineFactory is { } f)
        {
            if (f.Backend != options.Backend)
                throw new ConfigurationException("EngineFactory", $"serves backend {f.Backend}, but Backend is {options.Backend}.");
            return f;
        }
        if (Factories.TryGetValue(options.Backend, out var registered)) return registered;
        if (options.Backend == TrainingBackend.Managed) return ManagedTrainingEngine.Factory;
        throw new ConfigurationException("Backend", $"{options.Backend} is not registered: reference MLNet.Embeddings.TorchSharp (and a libtorch native package) "
            + "and call MLNet.Embeddings.TorchSharp.TorchSharpBackend.Register(), or set TrainerOptions.EngineFactory.");
    }
}
