using System.Net;
using DirectoryConnector.Engine;
using DirectoryConnector.Engine.Sources;
using DirectoryConnector.Engine.Sync;
using DirectoryConnector.Operator.Reconciliation;
using DirectoryConnector.Operator.Runtime;
using k8s;
using k8s.LeaderElection;
using k8s.LeaderElection.ResourceLock;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;

namespace DirectoryConnector.Operator.Hosting;

/// <summary>Leadership of the Lease was lost: work stopped, and the process should exit so Kubernetes restarts it.</summary>
public sealed class LeadershipLostException(string message) : Exception(message);
